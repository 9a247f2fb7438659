package dev.patchtide.server.patching;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.fleet.TagApi;
import dev.patchtide.server.patching.BaselineMessages.BaselineIdRequest;
import dev.patchtide.server.patching.BaselineMessages.BaselineIdResult;
import dev.patchtide.server.patching.BaselineMessages.CreatePatchBaselineRequest;
import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.BaselineMessages.DescribePatchBaselinesResult;
import dev.patchtide.server.patching.BaselineMessages.DescribePatchGroupsResult;
import dev.patchtide.server.patching.BaselineMessages.DescribeRequest;
import dev.patchtide.server.patching.BaselineMessages.GetPatchBaselineForPatchGroupRequest;
import dev.patchtide.server.patching.BaselineMessages.GetPatchBaselineForPatchGroupResult;
import dev.patchtide.server.patching.BaselineMessages.GetPatchBaselineResult;
import dev.patchtide.server.patching.BaselineMessages.PatchBaselineIdentity;
import dev.patchtide.server.patching.BaselineMessages.PatchGroupPatchBaselineMapping;
import dev.patchtide.server.patching.BaselineMessages.PatchGroupRequest;
import dev.patchtide.server.patching.BaselineMessages.PatchGroupResult;
import dev.patchtide.server.patching.BaselineMessages.UpdatePatchBaselineRequest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Patch baselines, the default per operating system, and patch groups, in Systems Manager's API. */
public final class BaselineApi {
    private final BaselineStore store;
    private final TagApi tags;
    private final PatchStateApi states;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();

    private final InventoryStore inventories = new InventoryStore();
    private final PatchEvaluation evaluation;
    private volatile ReEvaluationWorker worker;

    /** {@code listener} hears of compliance status changes inside the transactions that store them. */
    public BaselineApi(
            Jdbi jdbi,
            ObjectMapper json,
            InstantSource clock,
            TagApi tags,
            String accountId,
            ComplianceStateListener listener) {
        this(jdbi, json, clock, tags, accountId, listener, RebootStateListener.NONE);
    }

    /** As above; {@code rebootListener} hears of pending reboots (and their clearing) the same way. */
    public BaselineApi(
            Jdbi jdbi,
            ObjectMapper json,
            InstantSource clock,
            TagApi tags,
            String accountId,
            ComplianceStateListener listener,
            RebootStateListener rebootListener) {
        this.store = new BaselineStore(jdbi, json);
        this.clock = clock;
        this.tags = tags;
        tags.registerResourceType(
                BaselineStore.RESOURCE_TYPE,
                (h, id) -> store.find(h, id, true).filter(b -> !b.predefined()).map(BaselineStore.Stored::id));
        tags.onChange((h, type, id, keys) -> {
            if (type.equals("ManagedInstance") && (keys.contains("Patch Group") || keys.contains("PatchGroup"))) {
                ReEvaluation.markInstance(h, id);
                wakeWorker();
            }
        });
        seedPredefined();
        this.evaluation = new PatchEvaluation(store, listener, rebootListener);
        this.states = new PatchStateApi(store, inventories, evaluation, clock, accountId);
    }

    /**
     * Stores scan reports many to a transaction from now on ({@link ScanWriter}); the caller closes the
     * writer on shutdown, after the HTTP server stopped taking requests.
     */
    public AutoCloseable startScanWriter(int writers, int maxBatch) {
        return states.startWriter(writers, maxBatch);
    }

    /**
     * Starts judging again, in the background, the instances whose baseline or patch group changed; the
     * caller closes it on shutdown.
     */
    public ReEvaluationWorker startReEvaluation(java.time.Duration poll) {
        ReEvaluationWorker started = new ReEvaluationWorker(
                        store.jdbi(), evaluation, new BaselineCache(store), inventories, clock, poll, 200)
                .start();
        worker = started;
        return started;
    }

    private void wakeWorker() {
        ReEvaluationWorker w = worker;
        if (w != null) {
            w.wake();
        }
    }

    /** Every server has the predefined baselines, and each is its OS's default until an operator says otherwise. */
    private void seedPredefined() {
        store.jdbi().useTransaction(h -> {
            for (String os : PredefinedBaselines.NAMES.keySet()) {
                String id = PredefinedBaselines.id(os);
                store.insert(h, id, PredefinedBaselines.definition(os), true, null, Instant.EPOCH);
                // a server started before a predefined baseline's rules changed takes the new rules
                store.refreshPredefined(h, id, PredefinedBaselines.definition(os));
                store.setDefault(h, os, id, true);
            }
        });
    }

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.CreatePatchBaseline",
                CreatePatchBaselineRequest.class,
                Access.adminOnly(),
                (q, who) -> new BaselineIdResult(create(q))));
        router.register(new Action<>(
                "AmazonSSM.GetPatchBaseline",
                BaselineIdRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    BaselineStore.Stored b = existing(h, q.baselineId(), false);
                    return GetPatchBaselineResult.of(
                            b.id(), b.definition(), store.groupsOf(h, b.id()), b.created(), b.modified());
                })));
        router.register(new Action<>(
                "AmazonSSM.UpdatePatchBaseline",
                UpdatePatchBaselineRequest.class,
                Access.adminOnly(),
                (q, who) -> update(q)));
        router.register(new Action<>(
                "AmazonSSM.DeletePatchBaseline",
                BaselineIdRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    BaselineStore.Stored b = editable(h, q.baselineId());
                    if (store.isDefault(h, b.id()) || !store.groupsOf(h, b.id()).isEmpty()) {
                        throw new ApiException.Invalid(
                                "ResourceInUseException",
                                "Patch baseline " + b.id()
                                        + " is a default baseline or is registered to a patch group; deregister it first.");
                    }
                    store.delete(h, b.id());
                    ReEvaluation.markBaseline(h, b.id());
                    return new BaselineIdResult(b.id());
                })));
        router.register(new Action<>(
                "AmazonSSM.DescribePatchBaselines",
                DescribeRequest.class,
                Access.adminOnly(),
                (q, who) -> describeBaselines(q)));
        router.register(new Action<>(
                "AmazonSSM.RegisterDefaultPatchBaseline",
                BaselineIdRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    BaselineStore.Stored b = existing(h, q.baselineId(), true);
                    store.setDefault(h, b.definition().operatingSystem(), b.id(), false);
                    ReEvaluation.markOperatingSystem(h, b.definition().operatingSystem());
                    return new BaselineIdResult(b.id());
                })));
        router.register(new Action<>(
                "AmazonSSM.RegisterPatchBaselineForPatchGroup",
                PatchGroupRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    BaselineStore.Stored b = existing(h, q.baselineId(), true);
                    String os = b.definition().operatingSystem();
                    store.baselineForGroup(h, q.patchGroup(), os).ifPresent(other -> {
                        throw new ApiException.Invalid(
                                "AlreadyExistsException",
                                "Patch group " + q.patchGroup() + " already has baseline " + other + " for " + os
                                        + ".");
                    });
                    store.registerGroup(h, q.patchGroup(), os, b.id());
                    ReEvaluation.markGroup(h, q.patchGroup(), os);
                    return new PatchGroupResult(b.id(), q.patchGroup());
                })));
        router.register(new Action<>(
                "AmazonSSM.DeregisterPatchBaselineForPatchGroup",
                PatchGroupRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    store.find(h, q.baselineId(), false)
                            .ifPresent(b -> ReEvaluation.markGroup(
                                    h, q.patchGroup(), b.definition().operatingSystem()));
                    if (store.deregisterGroup(h, q.patchGroup(), q.baselineId()) == 0) {
                        throw new ApiException.Invalid(
                                "InvalidResourceId",
                                "Patch baseline " + q.baselineId() + " is not registered to patch group "
                                        + q.patchGroup() + ".");
                    }
                    return new PatchGroupResult(q.baselineId(), q.patchGroup());
                })));
        router.register(new Action<>(
                "AmazonSSM.GetPatchBaselineForPatchGroup",
                GetPatchBaselineForPatchGroupRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    String os = Objects.requireNonNullElse(q.operatingSystem(), "WINDOWS");
                    String id = store.baselineForGroup(h, q.patchGroup(), os)
                            .or(() -> store.defaultFor(h, os))
                            .orElse(null);
                    return new GetPatchBaselineForPatchGroupResult(id, q.patchGroup(), os);
                })));
        router.register(new Action<>(
                "AmazonSSM.GetDefaultPatchBaseline",
                BaselineMessages.GetDefaultPatchBaselineRequest.class,
                Access.adminOnly(),
                (q, who) -> inTransaction(h -> {
                    // as AWS: no operating system named means Windows
                    String os = Objects.requireNonNullElse(q.operatingSystem(), "WINDOWS");
                    String id = store.defaultFor(h, os)
                            .orElseThrow(() -> new ApiException.NotFound(
                                    "DoesNotExistException", "No default patch baseline for " + os + "."));
                    return new BaselineMessages.GetDefaultPatchBaselineResult(id, os);
                })));
        router.register(new Action<>(
                "AmazonSSM.DescribePatchGroups",
                DescribeRequest.class,
                Access.adminOnly(),
                (q, who) -> describeGroups(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribePatchProperties",
                PatchProperties.DescribePatchPropertiesRequest.class,
                Access.adminOnly(),
                (q, who) -> properties(q)));
        states.routes(router);
    }

    private String create(CreatePatchBaselineRequest q) {
        Definition definition = q.definition();
        return inTransaction(h -> {
            if (q.clientToken() != null) {
                var earlier = store.findByClientToken(h, q.clientToken());
                if (earlier.isPresent()) {
                    if (!earlier.get().definition().equals(definition)) {
                        throw new ApiException.Invalid(
                                "IdempotentParameterMismatch",
                                "ClientToken " + q.clientToken() + " was used before with different parameters.");
                    }
                    return earlier.get().id();
                }
            }
            String id = "pb-" + HexFormat.of().formatHex(randomBytes()).substring(0, 17);
            store.insert(h, id, definition, false, q.clientToken(), now());
            tags.tagNewResource(h, BaselineStore.RESOURCE_TYPE, id, q.tags());
            return id;
        });
    }

    private GetPatchBaselineResult update(UpdatePatchBaselineRequest q) {
        return inTransaction(h -> {
            BaselineStore.Stored b = editable(h, q.baselineId());
            Definition merged = BaselineUpdate.apply(b.definition(), q);
            dev.patchtide.server.api.Validation v = new dev.patchtide.server.api.Validation();
            BaselineRules.validate(merged, v);
            v.throwIfInvalid();
            Instant now = now();
            store.update(h, b.id(), merged, now);
            ReEvaluation.markBaseline(h, b.id());
            return GetPatchBaselineResult.of(b.id(), merged, null, b.created(), now);
        });
    }

    private DescribePatchBaselinesResult describeBaselines(DescribeRequest q) {
        DescribeFilters f = DescribeFilters.of(q.filters(), List.of("NAME_PREFIX", "OWNER", "OPERATING_SYSTEM"));
        int size = Objects.requireNonNullElse(q.maxResults(), 100);
        String after = PageToken.decode("baselines", q.nextToken()).orElse("");
        return inTransaction(h -> {
            List<BaselineStore.Stored> page = store.list(h, f.namePrefix(), f.owner(), f.systems(), after, size + 1);
            List<PatchBaselineIdentity> identities =
                    page.stream().limit(size).map(b -> identity(h, b)).toList();
            String next = page.size() > size
                    ? PageToken.encode("baselines", page.get(size - 1).id())
                    : null;
            return new DescribePatchBaselinesResult(identities, next);
        });
    }

    private DescribePatchGroupsResult describeGroups(DescribeRequest q) {
        DescribeFilters f = DescribeFilters.of(q.filters(), List.of("NAME_PREFIX", "OPERATING_SYSTEM"));
        int size = Objects.requireNonNullElse(q.maxResults(), 100);
        String after = PageToken.decode("patch-groups", q.nextToken()).orElse("");
        return inTransaction(h -> {
            List<BaselineStore.GroupMapping> page = store.groups(h, f.namePrefix(), f.systems(), after, size + 1);
            List<PatchGroupPatchBaselineMapping> mappings = page.stream()
                    .limit(size)
                    .map(m -> new PatchGroupPatchBaselineMapping(m.patchGroup(), identity(h, m.baseline())))
                    .toList();
            String next = null;
            if (page.size() > size) {
                BaselineStore.GroupMapping last = page.get(size - 1);
                next = PageToken.encode(
                        "patch-groups",
                        last.patchGroup() + "/" + last.baseline().definition().operatingSystem());
            }
            return new DescribePatchGroupsResult(mappings, next);
        });
    }

    private PatchProperties.DescribePatchPropertiesResult properties(PatchProperties.DescribePatchPropertiesRequest q) {
        List<String> values = PatchProperties.values(q.operatingSystem(), q.property());
        int size = Objects.requireNonNullElse(q.maxResults(), 50);
        int from = Integer.parseInt(
                PageToken.decode("patch-properties", q.nextToken()).orElse("0"));
        List<java.util.Map<String, String>> page = values.stream()
                .skip(from)
                .limit(size)
                .map(value -> java.util.Map.of("Name", value))
                .toList();
        String next =
                from + size < values.size() ? PageToken.encode("patch-properties", String.valueOf(from + size)) : null;
        return new PatchProperties.DescribePatchPropertiesResult(page, next);
    }

    private PatchBaselineIdentity identity(Handle h, BaselineStore.Stored b) {
        String os = b.definition().operatingSystem();
        return new PatchBaselineIdentity(
                b.id(),
                b.definition().name(),
                os,
                b.definition().description(),
                store.defaultFor(h, os).filter(b.id()::equals).isPresent());
    }

    private BaselineStore.Stored existing(Handle h, String id, boolean lock) {
        return store.find(h, id, lock)
                .orElseThrow(() -> new ApiException.NotFound(
                        "DoesNotExistException", "Patch baseline " + id + " does not exist."));
    }

    private BaselineStore.Stored editable(Handle h, String id) {
        BaselineStore.Stored b = existing(h, id, true);
        if (b.predefined()) {
            throw new ApiException.Invalid(
                    "InvalidResourceId",
                    "Patch baseline " + id + " is predefined and cannot be"
                            + " changed or deleted; create your own baseline instead.");
        }
        return b;
    }

    /** Runs {@code work} in a transaction, then nudges the re-evaluation worker (it may have marked instances). */
    private <T> T inTransaction(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
        T result = store.jdbi().inTransaction(work);
        wakeWorker();
        return result;
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[9];
        random.nextBytes(bytes);
        return bytes;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
