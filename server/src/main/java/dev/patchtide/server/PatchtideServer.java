package dev.patchtide.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.Authorizer;
import dev.patchtide.server.api.RequestBody;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.auth.Authenticator;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.commands.CommandEvents;
import dev.patchtide.server.commands.CommandNotifications;
import dev.patchtide.server.commands.Commands;
import dev.patchtide.server.compliance.ComplianceApi;
import dev.patchtide.server.compliance.ComplianceChanges;
import dev.patchtide.server.compliance.FleetComplianceApi;
import dev.patchtide.server.connections.Connections;
import dev.patchtide.server.dashboard.DashboardRoutes;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.delivery.DeadLetterApi;
import dev.patchtide.server.delivery.DeliveryWorker;
import dev.patchtide.server.documents.Documents;
import dev.patchtide.server.enrolment.AgentPackageShelf;
import dev.patchtide.server.enrolment.EnrolmentRoutes;
import dev.patchtide.server.events.EventsApi;
import dev.patchtide.server.events.RebootEvents;
import dev.patchtide.server.fleet.Ec2View;
import dev.patchtide.server.fleet.FleetApi;
import dev.patchtide.server.fleet.FleetMetrics;
import dev.patchtide.server.fleet.ShippedAgents;
import dev.patchtide.server.notify.Notifications;
import dev.patchtide.server.patching.BaselineApi;
import dev.patchtide.server.patching.ComplianceStateListener;
import dev.patchtide.server.patching.InventorySweeper;
import dev.patchtide.server.patching.ReEvaluationWorker;
import dev.patchtide.server.patching.RebootStateListener;
import dev.patchtide.server.secrets.Sealing;
import dev.patchtide.server.secrets.SecretBox;
import dev.patchtide.server.tls.CaRoute;
import dev.patchtide.server.tls.HttpsConnector;
import dev.patchtide.server.tls.Listeners;
import dev.patchtide.server.web.HealthRoutes;
import dev.patchtide.server.windows.MaintenanceWindows;
import dev.patchtide.server.workflows.Workflows;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;

/** Wires the server together with {@code new}: the one place that knows every feature. Tests use it too. */
public final class PatchtideServer implements AutoCloseable {
    /** Scan-report writer threads and the most reports one transaction stores (see patching's ScanWriter). */
    private static final int SCAN_WRITERS = 2;

    private static final int SCAN_BATCH = 100;

    /** How often unreferenced inventories are looked for: they only take room, nothing reads them. */
    private static final Duration INVENTORY_SWEEP = Duration.ofMinutes(15);

    private final Javalin app;
    private final AccessKeyStore accessKeys;
    private final DeliveryWorker deliveries;
    private final EventsApi events;
    private final PollingLoop revocationFeed;
    private final Commands commands;
    private final MaintenanceWindows windows;
    private final Workflows workflows;
    private final PollingLoop heartbeatWriter;
    /** What start-up started, closed in reverse order: by {@link #close()}, or at once if start-up fails. */
    private final Started started;

    private PatchtideServer(
            Javalin app,
            AccessKeyStore accessKeys,
            DeliveryWorker deliveries,
            EventsApi events,
            PollingLoop revocationFeed,
            Commands commands,
            MaintenanceWindows windows,
            Workflows workflows,
            PollingLoop heartbeatWriter,
            Started started) {
        this.app = app;
        this.heartbeatWriter = heartbeatWriter;
        this.workflows = workflows;
        this.commands = commands;
        this.windows = windows;
        this.revocationFeed = revocationFeed;
        this.accessKeys = accessKeys;
        this.deliveries = deliveries;
        this.events = events;
        this.started = started;
    }

    public static PatchtideServer start(ServerConfig config, Database database, InstantSource clock) {
        return start(config, database, clock, ComplianceStateListener.NONE);
    }

    /**
     * As {@link #start(ServerConfig, Database, InstantSource)}, telling {@code complianceListener} of status
     * changes. Starts everything or nothing: when a step fails, what was already started is closed before the
     * exception propagates.
     */
    public static PatchtideServer start(
            ServerConfig config, Database database, InstantSource clock, ComplianceStateListener complianceListener) {
        return start(
                config,
                database,
                clock,
                complianceListener,
                config.agentPackages().map(AgentPackageShelf::new).orElseGet(AgentPackageShelf::standard));
    }

    /** As above, serving (and shipping as the latest agents) the packages of {@code agentPackages}. */
    public static PatchtideServer start(
            ServerConfig config,
            Database database,
            InstantSource clock,
            ComplianceStateListener complianceListener,
            AgentPackageShelf agentPackages) {
        Started started = new Started();
        try {
            return start(config, database, clock, complianceListener, agentPackages, started);
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    /**
     * How Jetty reads request headers. Its per-connection cache of header fields is off: it keeps every Authorization
     * value for reuse, and a Signature V4 Authorization is new on every request, so each request added ~200 characters
     * to a cache that filled within a few requests and was cleared (JFR, bench/README.md fleet11: ≈ 7 % of the
     * server's CPU in scan-report rounds) without ever being hit. Values of Jetty's own table of common fields are
     * still taken only where the request spells them alike: otherwise Jetty would swap a header for its twin of
     * another case ("charset=UTF-8" for the "charset=utf-8" botocore signs) and Signature V4 of form requests fails.
     */
    private static void headerParsing(org.eclipse.jetty.server.HttpConfiguration http) {
        http.setHeaderCacheSize(0);
        http.setHeaderCacheCaseSensitive(true);
    }

    private static PatchtideServer start(
            ServerConfig config,
            Database database,
            InstantSource clock,
            ComplianceStateListener complianceListener,
            AgentPackageShelf agentPackages,
            Started started) {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        started.add(metrics::close);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        JvmGcMetrics gcMetrics = started.add(new JvmGcMetrics());
        gcMetrics.bindTo(metrics);

        // Secrets at rest are sealed under the server key; stores running in a caller's handle find it there.
        SecretBox secrets = new SecretBox(config.secretKey());
        Sealing.install(database.jdbi(), secrets);
        AccessKeyStore accessKeys = new AccessKeyStore(database.jdbi(), secrets);
        ApiRouter router = new ApiRouter(
                // Signature freshness is judged by wall time, whatever clock the domain logic runs on.
                new Authenticator(accessKeys, config.region(), InstantSource.system()),
                ApiJson.mapper(),
                metrics,
                new Authorizer(config.region(), config.accountId()));
        ObjectMapper json = ApiJson.mapper();
        DeliveryWorker deliveries = new DeliveryWorker(database.jdbi(), clock, metrics);
        EventsApi events = new EventsApi(
                database.jdbi(),
                json,
                deliveries.outbox(),
                config.region(),
                config.accountId(),
                config.pingPolicy(),
                clock);
        events.routes(router);
        FleetApi fleet = new FleetApi(
                database.jdbi(),
                accessKeys,
                config.pingPolicy(),
                config.region(),
                clock,
                events.fleetEvents(),
                ShippedAgents.inDirectory(agentPackages.directory()));
        fleet.routes(router);
        RebootEvents rebootEvents = new RebootEvents(events.publisher());
        RebootStateListener rebootListener = (handle, state) -> rebootEvents.publish(
                handle, new RebootEvents.RebootState(state.instanceId(), state.rebootPending(), state.packages()));
        BaselineApi baselines = new BaselineApi(
                database.jdbi(),
                json,
                clock,
                fleet.tags(),
                config.accountId(),
                new ComplianceChanges(events.publisher(), complianceListener),
                rebootListener);
        baselines.routes(router);
        Documents documents = new Documents(database.jdbi(), clock, config.region(), config.accountId(), fleet.tags());
        documents.routes(router);
        ReEvaluationWorker reEvaluation = started.add(baselines.startReEvaluation(Duration.ofSeconds(1)));
        io.micrometer.core.instrument.FunctionCounter.builder(
                        "patchtide_reevaluation_inventory_missing",
                        reEvaluation,
                        ReEvaluationWorker::inventoryMissingCount)
                .description("re-evaluations skipped because the instance's stored inventory was missing")
                .register(metrics);
        started.add(baselines.startScanWriter(SCAN_WRITERS, SCAN_BATCH));
        started.add(new InventorySweeper(database.jdbi(), clock, INVENTORY_SWEEP).start());
        new ComplianceApi(database.jdbi(), fleet, config.accountId(), clock).routes(router);
        new FleetMetrics(database.jdbi(), config.pingPolicy(), clock).bindTo(metrics);
        new DeadLetterApi(database.jdbi(), clock, deliveries).routes(router);
        FleetComplianceApi compliance = new FleetComplianceApi(database.jdbi(), config.pingPolicy(), clock);
        compliance.routes(router);
        DashboardRoutes dashboard = new DashboardRoutes(compliance, database.jdbi(), clock, json, accessKeys);
        dashboard.showAgentVersions(fleet::agentVersion);
        dashboard.routes(router);
        Connections connections = new Connections(database.jdbi(), secrets, clock, config.region(), config.accountId());
        connections.routes(router);
        deliveries.register(connections.deliverer());

        Javalin app = Javalin.create(javalin -> {
            javalin.useVirtualThreads = true;
            javalin.showJavalinBanner = false;
            javalin.http.maxRequestSize = RequestBody.API_LIMIT;
            javalin.jetty.modifyHttpConfiguration(PatchtideServer::headerParsing);
            // Our own connector rather than Javalin's default one: its accept queue (Listeners.ACCEPT_QUEUE).
            javalin.jetty.addConnector((server, http) -> {
                headerParsing(http);
                return config.tls()
                        .<org.eclipse.jetty.server.Connector>map(
                                tls -> HttpsConnector.create(server, http, tls, config.bindAddress(), config.port()))
                        .orElseGet(() -> Listeners.plain(server, http, config.bindAddress(), config.port()));
            });
        });
        Notifications notifications = new Notifications(
                database.jdbi(),
                deliveries,
                clock,
                config.region(),
                config.accountId(),
                config.smtp(),
                () -> config.publicUrlOr(app.port()));
        notifications.routes(router);
        notifications.registerDeliverers(deliveries);
        Commands commands = new Commands(
                database.jdbi(), documents.resolver(), clock, secrets, () -> config.publicUrlOr(app.port()));
        commands.routes(router);
        // Every status change: AWS's two events on the bus, and SNS notifications per NotificationConfig.
        commands.addListener(new CommandEvents(events.publisher()));
        commands.addListener(new CommandNotifications(notifications.publisher()));
        fleet.onDeregister(commands.deregistrations());
        commands.countPollsAsHeartbeats(fleet::heartbeat);
        MaintenanceWindows windows =
                new MaintenanceWindows(database.jdbi(), clock, events.publisher(), fleet.tags(), commands::launcher);
        windows.routes(router);
        commands.addListener(windows.listener());
        // Step Functions: its tasks call the actions registered above in-process, through the router.
        Workflows workflows = new Workflows(
                database.jdbi(),
                clock,
                events.publisher(),
                router,
                new Ec2View(database.jdbi(), config.pingPolicy(), clock, json),
                connections.calls(),
                config.region(),
                config.accountId());
        workflows.routes(router);
        deliveries.register(workflows.deliverer());
        windows.runWorkflowsWith(workflows.runs());
        commands.addListener(workflows.commandListener());
        app.post("/", router::handle);
        commands.webRoutes(app);
        notifications.webRoutes(app);
        workflows.webRoutes(app, secrets, () -> config.publicUrlOr(app.port()));
        new HealthRoutes(database, metrics, config.metricsAccess()).routes(app);
        config.tls().ifPresent(tls -> new CaRoute(tls).routes(app));
        new EnrolmentRoutes(agentPackages).routes(app);
        dashboard.routes(app);
        // Keys revoked by other nodes: lets this node keep found keys in memory (see AccessKeyStore).
        PollingLoop revocationFeed = started.add(accessKeys.startRevocationFeed());
        // Finishes connections left AUTHORIZING, also by a server that stopped before it could.
        started.add(connections.start());
        // Before the HTTP server in the list, so it closes after it: the heartbeats still pending are written last.
        started.add(fleet.start());
        started.add(app::stop);
        app.start();
        started.add(deliveries);
        deliveries.start();
        started.add(events.worker());
        events.worker().start();
        started.add(commands.start());
        started.add(windows.start());
        started.add(workflows.start());
        return new PatchtideServer(
                app,
                accessKeys,
                deliveries,
                events,
                revocationFeed,
                commands,
                windows,
                workflows,
                fleet.heartbeatWriter(),
                started);
    }

    public int port() {
        return app.port();
    }

    public AccessKeyStore accessKeys() {
        return accessKeys;
    }

    /** The outbox worker: features register their deliverers on it; tests wake it after moving the clock. */
    public DeliveryWorker deliveries() {
        return deliveries;
    }

    /** Writes the heartbeats kept in memory; tests count its rounds. */
    public PollingLoop heartbeatWriter() {
        return heartbeatWriter;
    }

    /** Polls for keys other nodes revoked; tests count its rounds to bound how soon a revocation arrives. */
    public PollingLoop revocationFeed() {
        return revocationFeed;
    }

    /** Run Command: its launcher and listeners for other features, its dispatcher for tests. */
    public Commands commands() {
        return commands;
    }

    /** The events feature: its publisher for other features, its worker for tests that move the clock. */
    public EventsApi events() {
        return events;
    }

    /** Maintenance windows: their loop, for tests that move the clock. */
    public MaintenanceWindows windows() {
        return windows;
    }

    /** Step Functions: its effect loop, for tests that move the clock. */
    public Workflows workflows() {
        return workflows;
    }

    @Override
    public void close() {
        started.close();
    }
}
