package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.workflows.MachineMessages.ListTagsResponse;
import dev.patchtide.server.workflows.MachineMessages.ResourceArnRequest;
import dev.patchtide.server.workflows.MachineMessages.Tag;
import dev.patchtide.server.workflows.MachineMessages.TagResourceRequest;
import dev.patchtide.server.workflows.MachineMessages.UntagResourceRequest;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** TagResource, UntagResource, ListTagsForResource on state machines and activities (at most 50 tags each). */
final class Tags {
    private static final int MAX = 50;

    private final Jdbi jdbi;
    private final SfnArns arns;

    Tags(Jdbi jdbi, SfnArns arns) {
        this.jdbi = jdbi;
        this.arns = arns;
    }

    static void put(Handle h, String arn, List<Tag> tags) {
        if (tags == null) {
            return;
        }
        for (Tag t : tags) {
            h.createUpdate("INSERT INTO sfn_tags (resource_arn, key, value) VALUES (:arn, :key, :value)"
                            + " ON CONFLICT (resource_arn, key) DO UPDATE SET value = :value")
                    .bind("arn", arn)
                    .bind("key", t.key())
                    .bind("value", t.value() == null ? "" : t.value())
                    .execute();
        }
        int count = h.createQuery("SELECT count(*) FROM sfn_tags WHERE resource_arn = :arn")
                .bind("arn", arn)
                .mapTo(Integer.class)
                .one();
        if (count > MAX) {
            throw new ApiException.LimitExceeded(
                    "TooManyTags", "Too many tags: a resource can have at most " + MAX + " tags.");
        }
    }

    void tag(TagResourceRequest q) {
        jdbi.useTransaction(h -> {
            requireExists(h, q.resourceArn());
            put(h, q.resourceArn(), q.tags());
        });
    }

    void untag(UntagResourceRequest q) {
        jdbi.useTransaction(h -> {
            requireExists(h, q.resourceArn());
            h.createUpdate("DELETE FROM sfn_tags WHERE resource_arn = :arn AND key = ANY(:keys)")
                    .bind("arn", q.resourceArn())
                    .bind("keys", q.tagKeys().toArray(String[]::new))
                    .execute();
        });
    }

    ListTagsResponse list(ResourceArnRequest q) {
        return jdbi.withHandle(h -> {
            requireExists(h, q.resourceArn());
            return new ListTagsResponse(
                    h.createQuery("SELECT key, value FROM sfn_tags WHERE resource_arn = :arn ORDER BY key")
                            .bind("arn", q.resourceArn())
                            .map((rs, ctx) -> new Tag(rs.getString("key"), rs.getString("value")))
                            .list());
        });
    }

    private void requireExists(Handle h, String arn) {
        String table;
        if (arns.isMachine(arn)) {
            table = "sfn_machines";
        } else if (arns.isActivity(arn)) {
            table = "sfn_activities";
        } else {
            throw SfnArns.invalidArn(arn);
        }
        boolean exists = h.createQuery("SELECT EXISTS (SELECT 1 FROM " + table + " WHERE arn = :arn)")
                .bind("arn", arn)
                .mapTo(Boolean.class)
                .one();
        if (!exists) {
            throw new ApiException.NotFound("ResourceNotFound", "Resource not found: '" + arn + "'");
        }
    }
}
