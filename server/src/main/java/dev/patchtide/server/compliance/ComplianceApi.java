package dev.patchtide.server.compliance;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.compliance.ComplianceMessages.ComplianceItemEntry;
import dev.patchtide.server.compliance.ComplianceMessages.ComplianceSummaryItem;
import dev.patchtide.server.compliance.ComplianceMessages.Empty;
import dev.patchtide.server.compliance.ComplianceMessages.ListComplianceItemsRequest;
import dev.patchtide.server.compliance.ComplianceMessages.ListComplianceItemsResult;
import dev.patchtide.server.compliance.ComplianceMessages.ListComplianceSummariesResult;
import dev.patchtide.server.compliance.ComplianceMessages.ListResourceComplianceSummariesResult;
import dev.patchtide.server.compliance.ComplianceMessages.ListSummariesRequest;
import dev.patchtide.server.compliance.ComplianceMessages.PutComplianceItemsRequest;
import dev.patchtide.server.compliance.ComplianceMessages.ResourceComplianceSummaryItem;
import dev.patchtide.server.fleet.FleetApi;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Systems Manager's compliance API: PutComplianceItems for custom (and Association) compliance, and the
 * three listings, which show the Patch type from patch scans alongside.
 */
public final class ComplianceApi {
    /** Patchtide's limits behind ItemSizeLimitExceededException and TotalSizeLimitExceededException. */
    static final int MAX_ITEM_CHARS = 64 * 1024;

    static final int MAX_TOTAL_CHARS = 8 * 1024 * 1024;

    private final ComplianceStore store;
    private final SummaryQueries summaries;
    private final ItemListing listing;
    private final Jdbi jdbi;
    private final String accountId;
    private final ComplianceHistory history;

    public ComplianceApi(Jdbi jdbi, FleetApi fleet, String accountId, InstantSource clock) {
        this.jdbi = jdbi;
        this.accountId = accountId;
        this.history = new ComplianceHistory(jdbi, clock);
        this.store = new ComplianceStore(jdbi);
        this.summaries = new SummaryQueries(jdbi);
        this.listing = new ItemListing(store);
        fleet.onDeregister(ComplianceStore::forget);
    }

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.GetComplianceReport",
                ComplianceReport.Request.class,
                Access.adminOnly(),
                (q, who) -> ComplianceReport.build(jdbi, accountId, q.resourceId())));
        router.register(new Action<>(
                "Patchtide.GetComplianceHistory",
                ComplianceHistory.Request.class,
                Access.adminOnly(),
                (q, who) -> history.get(q)));
        router.register(new Action<>(
                "AmazonSSM.PutComplianceItems",
                PutComplianceItemsRequest.class,
                Access.adminOrOwnInstance(PutComplianceItemsRequest::resourceId),
                (q, who) -> {
                    put(q);
                    return new Empty();
                }));
        router.register(new Action<>(
                "AmazonSSM.ListComplianceItems",
                ListComplianceItemsRequest.class,
                Access.adminOnly(),
                (q, who) -> listItems(q)));
        router.register(new Action<>(
                "AmazonSSM.ListResourceComplianceSummaries",
                ListSummariesRequest.class,
                Access.adminOnly(),
                (q, who) -> resourceSummaries(q)));
        router.register(new Action<>(
                "AmazonSSM.ListComplianceSummaries",
                ListSummariesRequest.class,
                Access.adminOnly(),
                (q, who) -> typeSummaries(q)));
    }

    private void put(PutComplianceItemsRequest q) {
        if (!q.resourceType().equals(ComplianceStore.RESOURCE_TYPE)) {
            throw new ApiException.Invalid(
                    "InvalidResourceType",
                    "Resource type " + q.resourceType() + " isn't valid; use " + ComplianceStore.RESOURCE_TYPE);
        }
        if (q.complianceType().equals("Patch")) {
            throw ApiException.validation("Value 'Patch' at 'complianceType' failed to satisfy constraint:"
                    + " Patch compliance comes from the instances' patch scans and can't be put");
        }
        if (!q.complianceType().startsWith("Custom:") && !q.complianceType().equals("Association")) {
            throw ApiException.validation("Value '" + q.complianceType() + "' at 'complianceType' failed to satisfy"
                    + " constraint: use Custom:<name> or Association");
        }
        boolean partial = Objects.equals(q.uploadType(), "PARTIAL");
        Set<String> ids = new HashSet<>();
        long total = 0;
        for (int i = 0; i < q.items().size(); i++) {
            ComplianceItemEntry item = q.items().get(i);
            String at = "items." + (i + 1) + ".member.id";
            if (item.id() == null && partial) {
                throw invalidContent(q, at + " is required when UploadType is PARTIAL");
            }
            if (item.id() != null && item.id().startsWith(ComplianceStore.NO_ID_PREFIX)) {
                throw invalidContent(q, at + " must not start with a control character");
            }
            if (item.id() != null && !ids.add(item.id())) {
                throw invalidContent(q, at + " '" + item.id() + "' appears more than once");
            }
            int size = store.sizeOf(item);
            if (size > MAX_ITEM_CHARS) {
                throw new ApiException.Invalid(
                        "ItemSizeLimitExceededException",
                        "Item " + (i + 1) + " of " + q.complianceType() + " is " + size + " characters; the limit is "
                                + MAX_ITEM_CHARS);
            }
            total += size;
        }
        if (total > MAX_TOTAL_CHARS) {
            throw new ApiException.Invalid(
                    "TotalSizeLimitExceededException",
                    "The items are " + total + " characters in all; the limit is " + MAX_TOTAL_CHARS);
        }
        store.put(q, partial);
    }

    private static ApiException invalidContent(PutComplianceItemsRequest q, String message) {
        return new ApiException.Invalid("InvalidItemContentException", q.complianceType() + ": " + message);
    }

    private ListComplianceItemsResult listItems(ListComplianceItemsRequest q) {
        return listing.list(q);
    }

    private ListResourceComplianceSummariesResult resourceSummaries(ListSummariesRequest q) {
        ComplianceFilters filters = ComplianceFilters.of(q.filters(), SummaryQueries.FILTER_COLUMNS);
        int pageSize = Objects.requireNonNullElse(q.maxResults(), 50);
        String after = PageToken.decode("resource-compliance", q.nextToken()).orElse("\n");
        int newline = after.indexOf('\n');
        if (newline < 0) {
            throw new ApiException.Invalid("InvalidNextToken", "The specified token isn't valid.");
        }
        List<ResourceComplianceSummaryItem> page = summaries.resourceSummaries(
                filters, after.substring(0, newline), after.substring(newline + 1), pageSize + 1);
        if (page.size() <= pageSize) {
            return new ListResourceComplianceSummariesResult(page, null);
        }
        List<ResourceComplianceSummaryItem> shown = page.subList(0, pageSize);
        ResourceComplianceSummaryItem last = shown.getLast();
        return new ListResourceComplianceSummariesResult(
                shown, PageToken.encode("resource-compliance", last.resourceId() + "\n" + last.complianceType()));
    }

    private ListComplianceSummariesResult typeSummaries(ListSummariesRequest q) {
        ComplianceFilters filters = ComplianceFilters.of(q.filters(), SummaryQueries.FILTER_COLUMNS);
        int pageSize = Objects.requireNonNullElse(q.maxResults(), 50);
        String after = PageToken.decode("compliance-summaries", q.nextToken()).orElse("");
        List<ComplianceSummaryItem> page = summaries.typeSummaries(filters, after, pageSize + 1);
        if (page.size() <= pageSize) {
            return new ListComplianceSummariesResult(page, null);
        }
        List<ComplianceSummaryItem> shown = page.subList(0, pageSize);
        return new ListComplianceSummariesResult(
                shown, PageToken.encode("compliance-summaries", shown.getLast().complianceType()));
    }
}
