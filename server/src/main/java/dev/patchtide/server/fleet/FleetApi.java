package dev.patchtide.server.fleet;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.fleet.ActivationMessages.Activation;
import dev.patchtide.server.fleet.ActivationMessages.CreateActivationRequest;
import dev.patchtide.server.fleet.ActivationMessages.CreateActivationResult;
import dev.patchtide.server.fleet.ActivationMessages.DeleteActivationRequest;
import dev.patchtide.server.fleet.ActivationMessages.DescribeActivationsRequest;
import dev.patchtide.server.fleet.ActivationMessages.DescribeActivationsResult;
import dev.patchtide.server.fleet.ActivationMessages.Empty;
import dev.patchtide.server.fleet.ActivationMessages.RegisterManagedInstanceRequest;
import dev.patchtide.server.fleet.ActivationMessages.RegisterManagedInstanceResult;
import dev.patchtide.server.fleet.InstanceMessages.DeregisterManagedInstanceRequest;
import dev.patchtide.server.fleet.InstanceMessages.DescribeInstanceInformationRequest;
import dev.patchtide.server.fleet.InstanceMessages.DescribeInstanceInformationResult;
import dev.patchtide.server.fleet.InstanceMessages.InstanceInformation;
import dev.patchtide.server.fleet.InstanceMessages.UpdateInstanceInformationRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The fleet registry's API: activations, agent registration and reports, instance listing, tags. */
public final class FleetApi {
    private static final Duration DEFAULT_ACTIVATION_LIFETIME = Duration.ofHours(24);
    private static final Duration MAX_ACTIVATION_LIFETIME = Duration.ofDays(30);

    private final ActivationStore activations;
    private final InstanceStore instances;
    private final InstanceRegistration registration;
    private final TagApi tagApi;
    private final PingStatusPolicy pingPolicy;
    private final String region;
    private final InstantSource clock;
    private final ShippedAgents shipped;
    private final Heartbeats heartbeats;

    public FleetApi(Jdbi jdbi, AccessKeyStore keys, PingStatusPolicy pingPolicy, String region, InstantSource clock) {
        this(jdbi, keys, pingPolicy, region, clock, FleetEventSink.NONE);
    }

    /** With {@code events} told about registrations, deregistrations and tag changes. */
    public FleetApi(
            Jdbi jdbi,
            AccessKeyStore keys,
            PingStatusPolicy pingPolicy,
            String region,
            InstantSource clock,
            FleetEventSink events) {
        this(jdbi, keys, pingPolicy, region, clock, events, ShippedAgents.none());
    }

    /** As above, {@code IsLatestVersion} and {@code Patchtide.DescribeAgentPackages} answering from {@code shipped}. */
    public FleetApi(
            Jdbi jdbi,
            AccessKeyStore keys,
            PingStatusPolicy pingPolicy,
            String region,
            InstantSource clock,
            FleetEventSink events,
            ShippedAgents shipped) {
        TagStore tags = new TagStore();
        this.shipped = shipped;
        this.activations = new ActivationStore(jdbi, tags);
        this.instances = new InstanceStore(jdbi, keys, pingPolicy, events, AgentVersions.shippedBy(shipped));
        this.registration = new InstanceRegistration(jdbi, keys, tags, events);
        this.tagApi = new TagApi(jdbi, tags, events);
        this.tagApi.registerResourceType(InstanceStore.RESOURCE_TYPE, InstanceStore::lockRegistered);
        this.pingPolicy = pingPolicy;
        this.region = region;
        this.clock = clock;
        this.heartbeats = new Heartbeats(jdbi, pingPolicy, events, clock);
    }

    /**
     * Starts writing the heartbeats kept in memory (every {@link PingStatusPolicy#pingWriteInterval()}); closing it
     * writes those still pending.
     */
    public AutoCloseable start() {
        return heartbeats.start();
    }

    /**
     * A sign of life from an instance's own agent that carries no facts (its command poll): counted as a heartbeat,
     * written with the next batch.
     */
    public void heartbeat(String instanceId) {
        heartbeats.touch(instanceId, now());
    }

    /** The heartbeat writer, for tests that wait for its rounds. */
    public dev.patchtide.server.background.PollingLoop heartbeatWriter() {
        return heartbeats.loop();
    }

    /**
     * What the dashboard shows of an instance's agent: the version it reported, the latest this server ships, and
     * whether it runs that (null before its first report), as {@code IsLatestVersion} says it.
     */
    public record AgentVersionState(String agentVersion, String latestVersion, Boolean isLatestVersion) {}

    public AgentVersionState agentVersion(String instanceId) {
        String reported = instances.agentVersion(instanceId).orElse(null);
        AgentVersions versions = instances.versions();
        return new AgentVersionState(reported, versions.latest(), versions.isLatest(reported));
    }

    /** For features that add taggable resource types. */
    public TagApi tags() {
        return tagApi;
    }

    /** Runs {@code listener} in every deregistration's transaction. */
    public void onDeregister(DeregistrationListener listener) {
        instances.onDeregister(listener);
    }

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.CreateActivation",
                CreateActivationRequest.class,
                Access.adminOnly(),
                (q, who) -> createActivation(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeActivations",
                DescribeActivationsRequest.class,
                Access.adminOnly(),
                (q, who) -> describeActivations(q)));
        router.register(new Action<>(
                "AmazonSSM.DeleteActivation", DeleteActivationRequest.class, Access.adminOnly(), (q, who) -> {
                    activations.delete(UUID.fromString(q.activationId()), now());
                    return new Empty();
                }));
        router.register(new Action<>(
                "Patchtide.RegisterManagedInstance",
                RegisterManagedInstanceRequest.class,
                Access.anonymous(),
                (q, who) -> register(q)));
        router.register(new Action<>(
                "AmazonSSM.UpdateInstanceInformation",
                UpdateInstanceInformationRequest.class,
                Access.adminOrOwnInstance(UpdateInstanceInformationRequest::instanceId),
                (q, who) -> {
                    reported(q, who);
                    return new Empty();
                }));
        router.register(new Action<>(
                "AmazonSSM.DescribeInstanceInformation",
                DescribeInstanceInformationRequest.class,
                Access.adminOnly(),
                (q, who) -> describeInstances(q)));
        router.register(new Action<>(
                "AmazonSSM.DeregisterManagedInstance",
                DeregisterManagedInstanceRequest.class,
                Access.adminOnly(),
                (q, who) -> {
                    instances.deregister(q.instanceId(), now());
                    heartbeats.forget(q.instanceId());
                    return new Empty();
                }));
        router.register(new Action<>(
                AgentPackageMessages.DESCRIBE,
                AgentPackageMessages.DescribeAgentPackagesRequest.class,
                Access.adminOrOwnInstance(AgentPackageMessages.DescribeAgentPackagesRequest::instanceId),
                (q, who) -> AgentPackageMessages.describe(shipped)));
        tagApi.routes(router);
    }

    /**
     * The agent's heartbeat: kept in memory when only its time is new (see {@link Heartbeats}), else written at once.
     * An operator's call on an instance's behalf is always written at once (its key is not revoked with the
     * instance, so only the write can tell it the instance is gone).
     */
    private void reported(UpdateInstanceInformationRequest q, Principal who) {
        Instant now = now();
        long fingerprint = Heartbeats.fingerprint(q);
        if (who instanceof Principal.Instance && heartbeats.offer(q, fingerprint, now)) {
            return;
        }
        instances.recordReport(q, fingerprint, now, heartbeats);
    }

    private CreateActivationResult createActivation(CreateActivationRequest q) {
        Instant now = now();
        Instant expires = q.expirationDate() == null
                ? now.plus(DEFAULT_ACTIVATION_LIFETIME)
                : q.expirationDate().truncatedTo(ChronoUnit.MILLIS);
        if (!expires.isAfter(now) || expires.isAfter(now.plus(MAX_ACTIVATION_LIFETIME))) {
            throw new ApiException.Invalid(
                    "InvalidParameters",
                    "ExpirationDate " + expires + " must be in the future and at most 30 days from now.");
        }
        ActivationStore.Created created = activations.create(
                new ActivationStore.NewActivation(
                        Objects.requireNonNullElse(q.description(), ""),
                        Objects.requireNonNullElse(q.defaultInstanceName(), ""),
                        q.iamRole(),
                        Objects.requireNonNullElse(q.registrationLimit(), 1),
                        expires,
                        q.tags() == null ? List.of() : q.tags()),
                now);
        return new CreateActivationResult(created.activationId().toString(), created.activationCode());
    }

    private DescribeActivationsResult describeActivations(DescribeActivationsRequest q) {
        int pageSize = Objects.requireNonNullElse(q.maxResults(), 50);
        String after = PageToken.decode("activations", q.nextToken()).orElse("");
        List<Activation> page =
                activations.list(q.filters() == null ? List.of() : q.filters(), after, pageSize + 1, now());
        if (page.size() <= pageSize) {
            return new DescribeActivationsResult(page, null);
        }
        List<Activation> shown = page.subList(0, pageSize);
        return new DescribeActivationsResult(
                shown, PageToken.encode("activations", shown.getLast().activationId()));
    }

    private RegisterManagedInstanceResult register(RegisterManagedInstanceRequest q) {
        RegistrationWriter.Registered registered =
                registration.register(UUID.fromString(q.activationId()), q.activationCode(), now());
        return new RegisterManagedInstanceResult(
                registered.instanceId(),
                registered.key().accessKeyId(),
                registered.key().secretAccessKey(),
                region,
                Math.max(1, pingPolicy.heartbeatInterval().toSeconds()));
    }

    private DescribeInstanceInformationResult describeInstances(DescribeInstanceInformationRequest q) {
        if (q.instanceInformationFilterList() != null
                && !q.instanceInformationFilterList().isEmpty()
                && q.filters() != null
                && !q.filters().isEmpty()) {
            throw new ApiException.Invalid(
                    "InvalidFilterKey",
                    "Use either InstanceInformationFilterList or Filters in one request, not both.");
        }
        InstanceFilterSql filters = new InstanceFilterSql();
        if (q.instanceInformationFilterList() != null) {
            q.instanceInformationFilterList().forEach(f -> filters.add(f.key(), f.valueSet(), false));
        }
        if (q.filters() != null) {
            q.filters().forEach(f -> filters.add(f.key(), f.values(), true));
        }
        int pageSize = Objects.requireNonNullElse(q.maxResults(), 50);
        String after = PageToken.decode("instances", q.nextToken()).orElse("");
        List<InstanceInformation> page = instances.list(filters, after, pageSize + 1, now());
        if (page.size() <= pageSize) {
            return new DescribeInstanceInformationResult(page, null);
        }
        List<InstanceInformation> shown = page.subList(0, pageSize);
        return new DescribeInstanceInformationResult(
                shown, PageToken.encode("instances", shown.getLast().instanceId()));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
