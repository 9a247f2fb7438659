package dev.patchtide.server.fleet;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.Query;

/**
 * A {@code tag:<key>} filter of DescribeInstanceInformation as the rows a page starts from: the instance ids
 * carrying that tag, read from {@code resource_tags_by_value} (type, key, value, id) and joined to their
 * instances. As an {@code EXISTS} condition instead, the planner walked the fleet in id order probing each
 * instance's tags, or sorted every tagged id (41 ms p99 at 100,000 hosts). With one value the index range is
 * already in id order, so a page reads its own rows and stops; with several the matching ids are sorted (the
 * index gives each value's ids in order, but PostgreSQL 17 does not merge those ranges).
 */
record TagDriver(String key, List<String> values) {
    /** The NextToken's bound on the tag rows too: equivalence carries {@code =} across a join, not {@code >}. */
    static final String AFTER = "d.resource_id > :after";

    /** The filter's distinct values, nulls (which match nothing) left out; empty when none is left. */
    static Optional<TagDriver> of(String key, List<String> values) {
        List<String> distinct = List.copyOf(
                new LinkedHashSet<>(values.stream().filter(Objects::nonNull).toList()));
        return distinct.isEmpty() ? Optional.empty() : Optional.of(new TagDriver(key, distinct));
    }

    String from() {
        String value = values.size() == 1 ? "t.tag_value = :dv" : "t.tag_value = ANY(:dv)";
        return "(SELECT t.resource_id FROM resource_tags t WHERE t.resource_type = '" + InstanceStore.RESOURCE_TYPE
                + "' AND t.tag_key = :dk AND " + value
                + ") d JOIN managed_instances i ON i.instance_id = d.resource_id";
    }

    void bind(Query query) {
        query.bind("dk", key);
        if (values.size() == 1) {
            query.bind("dv", values.getFirst());
        } else {
            query.bindArray("dv", String.class, values);
        }
    }
}
