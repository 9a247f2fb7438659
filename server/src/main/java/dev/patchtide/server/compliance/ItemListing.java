package dev.patchtide.server.compliance;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.compliance.ComplianceMessages.ComplianceItem;
import dev.patchtide.server.compliance.ComplianceMessages.ExecutionSummary;
import dev.patchtide.server.compliance.ComplianceMessages.ListComplianceItemsRequest;
import dev.patchtide.server.compliance.ComplianceMessages.ListComplianceItemsResult;
import dev.patchtide.server.patching.PatchComplianceItems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * ListComplianceItems: for each requested resource in id order, its stored items (by type, then Id) and
 * then its Patch items (by Id). A page token remembers the resource, the phase and the last key.
 */
final class ItemListing {
    /** Systems Manager takes one resource per call; Patchtide takes a few. */
    static final int MAX_RESOURCES = 10;

    static final Map<String, String> FILTER_COLUMNS = Map.of(
            "ComplianceType", "compliance_type",
            "Status", "status",
            "Severity", "severity",
            "Id", "item_id",
            "Title", "title",
            "ExecutionId", "execution_id",
            "ExecutionType", "execution_type");

    private static final String LISTING = "compliance-items";
    private static final String STORED = "stored";
    private static final String PATCH = "patch";

    private final ComplianceStore store;

    ItemListing(ComplianceStore store) {
        this.store = store;
    }

    private record Position(String resourceId, String phase, String type, String key) {
        static final Position START = new Position("", STORED, "", "");

        static Position decode(String token) {
            Optional<String> text = PageToken.decode(LISTING, token);
            if (text.isEmpty()) {
                return START;
            }
            String[] parts = text.get().split("\n", -1);
            if (parts.length != 4 || !(parts[1].equals(STORED) || parts[1].equals(PATCH))) {
                throw new ApiException.Invalid("InvalidNextToken", "The specified token isn't valid.");
            }
            return new Position(parts[0], parts[1], parts[2], parts[3]);
        }

        String encode() {
            return PageToken.encode(LISTING, String.join("\n", resourceId, phase, type, key));
        }
    }

    private record Entry(Position position, ComplianceItem item) {}

    ListComplianceItemsResult list(ListComplianceItemsRequest q) {
        if (q.resourceTypes() != null) {
            q.resourceTypes().stream()
                    .filter(t -> !t.equals(ComplianceStore.RESOURCE_TYPE))
                    .findFirst()
                    .ifPresent(t -> {
                        throw new ApiException.Invalid(
                                "InvalidResourceType",
                                "Resource type " + t + " isn't valid; use " + ComplianceStore.RESOURCE_TYPE);
                    });
        }
        if (q.resourceIds() == null || q.resourceIds().size() > MAX_RESOURCES) {
            throw ApiException.validation("Value at 'resourceIds' failed to satisfy constraint: specify between 1 and "
                    + MAX_RESOURCES + " resource IDs");
        }
        ComplianceFilters filters = ComplianceFilters.of(q.filters(), FILTER_COLUMNS);
        int pageSize = Objects.requireNonNullElse(q.maxResults(), 50);
        Position from = Position.decode(q.nextToken());
        List<Entry> page = store.jdbi().inTransaction(h -> {
            List<Entry> found = new ArrayList<>();
            for (String resourceId : new TreeSet<>(q.resourceIds())) {
                if (!registered(h, resourceId)) {
                    throw ComplianceStore.invalidResourceId(resourceId);
                }
                int cmp = resourceId.compareTo(from.resourceId());
                if (cmp < 0 || found.size() > pageSize) {
                    continue;
                }
                Position start = cmp == 0 ? from : new Position(resourceId, STORED, "", "");
                if (start.phase().equals(STORED)) {
                    store.items(h, resourceId, start.type(), start.key(), filters, pageSize + 1 - found.size())
                            .forEach(s -> found.add(new Entry(
                                    new Position(resourceId, STORED, s.item().complianceType(), s.key()), s.item())));
                }
                String afterPatch = start.phase().equals(PATCH) ? start.key() : null;
                if (found.size() <= pageSize) {
                    patchItems(h, resourceId, filters, afterPatch, pageSize + 1 - found.size(), found);
                }
            }
            return found;
        });
        if (page.size() <= pageSize) {
            return new ListComplianceItemsResult(page.stream().map(Entry::item).toList(), null);
        }
        List<Entry> shown = page.subList(0, pageSize);
        return new ListComplianceItemsResult(
                shown.stream().map(Entry::item).toList(),
                shown.getLast().position().encode());
    }

    private static void patchItems(
            Handle h, String resourceId, ComplianceFilters filters, String afterId, int limit, List<Entry> into) {
        PatchComplianceItems.forInstance(h, resourceId).ifPresent(patch -> {
            ExecutionSummary execution = new ExecutionSummary(
                    patch.execution().time(),
                    patch.execution().id(),
                    patch.execution().type());
            int added = 0;
            for (PatchComplianceItems.Item p : patch.items()) {
                if (added == limit) {
                    return;
                }
                if (afterId != null && p.id().compareTo(afterId) <= 0) {
                    continue;
                }
                ComplianceItem item = new ComplianceItem(
                        PatchComplianceItems.COMPLIANCE_TYPE,
                        ComplianceStore.RESOURCE_TYPE,
                        resourceId,
                        p.id(),
                        p.title(),
                        p.status(),
                        p.severity(),
                        execution,
                        p.details());
                if (filters.matches(key -> valueOf(item, key))) {
                    into.add(new Entry(
                            new Position(resourceId, PATCH, PatchComplianceItems.COMPLIANCE_TYPE, p.id()), item));
                    added++;
                }
            }
        });
    }

    private static String valueOf(ComplianceItem item, String filterKey) {
        return switch (filterKey) {
            case "ComplianceType" -> item.complianceType();
            case "Status" -> item.status();
            case "Severity" -> item.severity();
            case "Id" -> item.id();
            case "Title" -> item.title();
            case "ExecutionId" -> item.executionSummary().executionId();
            case "ExecutionType" -> item.executionSummary().executionType();
            default -> throw new IllegalStateException("checked by ComplianceFilters: " + filterKey);
        };
    }

    private static boolean registered(Handle h, String resourceId) {
        return h.createQuery("SELECT 1 FROM managed_instances WHERE instance_id = :id AND deregistered_at IS NULL")
                .bind("id", resourceId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }
}
