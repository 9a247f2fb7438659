package dev.patchtide.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.Authorizer;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.auth.Authenticator;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.compliance.ComplianceApi;
import dev.patchtide.server.compliance.ComplianceChanges;
import dev.patchtide.server.compliance.FleetComplianceApi;
import dev.patchtide.server.connections.Connections;
import dev.patchtide.server.dashboard.DashboardRoutes;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.delivery.DeadLetterApi;
import dev.patchtide.server.delivery.DeliveryWorker;
import dev.patchtide.server.events.EventsApi;
import dev.patchtide.server.events.RebootEvents;
import dev.patchtide.server.fleet.FleetApi;
import dev.patchtide.server.fleet.FleetMetrics;
import dev.patchtide.server.notify.Notifications;
import dev.patchtide.server.patching.BaselineApi;
import dev.patchtide.server.patching.ComplianceStateListener;
import dev.patchtide.server.patching.InventorySweeper;
import dev.patchtide.server.patching.ReEvaluationWorker;
import dev.patchtide.server.patching.RebootStateListener;
import dev.patchtide.server.web.HealthRoutes;
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
    private final PollingLoop revocationFeed;
    private final JvmGcMetrics gcMetrics;
    private final DeliveryWorker deliveries;
    private final ReEvaluationWorker reEvaluation;
    private final AutoCloseable scanWriter;
    private final InventorySweeper inventorySweeper;
    private final EventsApi events;

    private PatchtideServer(
            Javalin app,
            AccessKeyStore accessKeys,
            PollingLoop revocationFeed,
            JvmGcMetrics gcMetrics,
            DeliveryWorker deliveries,
            ReEvaluationWorker reEvaluation,
            AutoCloseable scanWriter,
            InventorySweeper inventorySweeper,
            EventsApi events) {
        this.app = app;
        this.accessKeys = accessKeys;
        this.revocationFeed = revocationFeed;
        this.gcMetrics = gcMetrics;
        this.deliveries = deliveries;
        this.reEvaluation = reEvaluation;
        this.scanWriter = scanWriter;
        this.inventorySweeper = inventorySweeper;
        this.events = events;
    }

    public static PatchtideServer start(ServerConfig config, Database database, InstantSource clock) {
        return start(config, database, clock, ComplianceStateListener.NONE);
    }

    /** As {@link #start(ServerConfig, Database, InstantSource)}, telling {@code complianceListener} of status changes. */
    public static PatchtideServer start(
            ServerConfig config, Database database, InstantSource clock, ComplianceStateListener complianceListener) {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(metrics);

        AccessKeyStore accessKeys = new AccessKeyStore(database.jdbi());
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
                database.jdbi(), accessKeys, config.pingPolicy(), config.region(), clock, events.fleetEvents());
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
        ReEvaluationWorker reEvaluation = baselines.startReEvaluation(Duration.ofSeconds(1));
        AutoCloseable scanWriter = baselines.startScanWriter(SCAN_WRITERS, SCAN_BATCH);
        InventorySweeper inventorySweeper = new InventorySweeper(database.jdbi(), clock, INVENTORY_SWEEP).start();
        new ComplianceApi(database.jdbi(), fleet, config.accountId(), clock).routes(router);
        new FleetMetrics(database.jdbi(), config.pingPolicy(), clock).bindTo(metrics);
        new DeadLetterApi(database.jdbi(), clock, deliveries).routes(router);
        FleetComplianceApi compliance = new FleetComplianceApi(database.jdbi(), config.pingPolicy(), clock);
        compliance.routes(router);
        DashboardRoutes dashboard = new DashboardRoutes(compliance, database.jdbi(), clock, json);
        dashboard.routes(router);
        Connections connections =
                new Connections(database.jdbi(), config.secretKey(), clock, config.region(), config.accountId());
        connections.routes(router);
        deliveries.register(connections.deliverer());

        Javalin app = Javalin.create(javalin -> {
            javalin.useVirtualThreads = true;
            javalin.showJavalinBanner = false;
            javalin.http.maxRequestSize = 16L * 1024 * 1024;
            javalin.jetty.defaultHost = config.bindAddress();
            javalin.jetty.defaultPort = config.port();
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
        app.post("/", router::handle);
        notifications.webRoutes(app);
        new HealthRoutes(database, metrics).routes(app);
        dashboard.routes(app);
        // Keys revoked by other nodes: lets this node keep found keys in memory (see AccessKeyStore).
        PollingLoop revocationFeed = accessKeys.startRevocationFeed();
        app.start();
        deliveries.start();
        events.worker().start();
        return new PatchtideServer(
                app,
                accessKeys,
                revocationFeed,
                gcMetrics,
                deliveries,
                reEvaluation,
                scanWriter,
                inventorySweeper,
                events);
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

    /** The events feature: its publisher for other features, its worker for tests that move the clock. */
    public EventsApi events() {
        return events;
    }

    @Override
    public void close() {
        app.stop();
        try {
            scanWriter.close();
        } catch (Exception e) {
            throw new IllegalStateException("scan writer did not stop", e);
        }
        reEvaluation.close();
        inventorySweeper.close();
        events.worker().close();
        deliveries.close();
        revocationFeed.close();
        gcMetrics.close();
    }
}
