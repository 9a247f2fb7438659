package dev.patchtide.server.compliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** Patchtide.GetComplianceReport's execution summary and Patchtide.GetComplianceHistory's days, clock moved by hand. */
class ComplianceReportHistoryTest {
    /** One second before midnight UTC: the next second is another day. */
    private static final Instant LAST_SECOND = Instant.parse("2026-03-09T23:59:59Z");

    private final MutableClock clock = new MutableClock(LAST_SECOND);
    private TestServer server;
    private ApiClient admin;
    private FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        admin = ComplianceFleet.admin(server);
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(1));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report("web1.example.com", "10.0.0.1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void scan(Instant ended, boolean missingOpenssl) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("InstanceId", agent.instanceId());
        body.put("OperatingSystem", "DEBIAN");
        body.put("OperationStartTime", ended.minusSeconds(30).getEpochSecond());
        body.put("OperationEndTime", ended.getEpochSecond());
        body.put("InstalledCount", 500);
        body.put("RebootRequired", false);
        body.put("Patches", missingOpenssl ? List.of(ComplianceFleet.patch("openssl", true)) : List.of());
        agent.client().call("Patchtide.PutPatchScanReport", body);
    }

    private JsonNode history(Map<String, Object> request) throws Exception {
        return admin.call("Patchtide.GetComplianceHistory", request);
    }

    private static List<String> dates(JsonNode history) {
        List<String> dates = new ArrayList<>();
        history.path("DailyCounts").forEach(d -> dates.add(d.path("Date").asText()));
        return dates;
    }

    @Test
    void reportNamesTheScanThatMadeItAndWhenItEnded() throws Exception {
        Instant ended = LAST_SECOND.minusSeconds(90);
        scan(ended, true);

        JsonNode execution = admin.call("Patchtide.GetComplianceReport", Map.of("ResourceId", agent.instanceId()))
                .path("ExecutionSummary");

        assertThat(execution.path("ExecutionTime").isNumber()).isTrue();
        assertThat(execution.path("ExecutionTime").asLong()).isEqualTo(ended.getEpochSecond());
        assertThat(execution.path("ExecutionId").asText()).isNotEmpty();
        assertThat(execution.path("ExecutionType").asText()).isEqualTo("Command");

        // A later scan is a later execution.
        clock.advance(Duration.ofMinutes(5));
        scan(clock.instant(), false);
        JsonNode later = admin.call("Patchtide.GetComplianceReport", Map.of("ResourceId", agent.instanceId()))
                .path("ExecutionSummary");
        assertThat(later.path("ExecutionTime").asLong())
                .isEqualTo(clock.instant().getEpochSecond());
    }

    @Test
    void daysAreTodayAndTheDaysBeforeItAcrossMidnight() throws Exception {
        scan(LAST_SECOND, true);

        JsonNode before = history(Map.of("Days", 7));
        assertThat(dates(before))
                .containsExactly(
                        "2026-03-03",
                        "2026-03-04",
                        "2026-03-05",
                        "2026-03-06",
                        "2026-03-07",
                        "2026-03-08",
                        "2026-03-09");
        assertThat(before.path("DailyCounts").get(6).path("NonCompliantCount").asInt())
                .isEqualTo(1);
        assertThat(before.path("DailyCounts").get(5).path("NonCompliantCount").asInt())
                .isZero();

        clock.advance(Duration.ofSeconds(1)); // 2026-03-10T00:00:00Z
        JsonNode after = history(Map.of("Days", 7));
        assertThat(dates(after))
                .containsExactly(
                        "2026-03-04",
                        "2026-03-05",
                        "2026-03-06",
                        "2026-03-07",
                        "2026-03-08",
                        "2026-03-09",
                        "2026-03-10");
        assertThat(after.path("DailyCounts").get(6).path("NonCompliantCount").asInt())
                .isEqualTo(1);
        assertThat(dates(history(Map.of("Days", 1)))).containsExactly("2026-03-10");

        // An instance's changes: the one of yesterday's last second is in two days, not in today alone.
        assertThat(history(Map.of("InstanceId", agent.instanceId(), "Days", 1))
                        .path("Entries")
                        .size())
                .isZero();
        JsonNode twoDays = history(Map.of("InstanceId", agent.instanceId(), "Days", 2));
        assertThat(twoDays.path("Entries").size()).isEqualTo(1);
        assertThat(twoDays.path("Entries").get(0).path("ComplianceStatus").asText())
                .isEqualTo("NON_COMPLIANT");
    }

    @Test
    void withoutDaysOrStartTimeThirtyDays() throws Exception {
        assertThat(dates(history(Map.of()))).hasSize(30).endsWith("2026-03-09");
    }

    @Test
    void daysAndStartTimeTogetherAreRefused() {
        assertThatThrownBy(() -> history(Map.of("Days", 7, "StartTime", LAST_SECOND.getEpochSecond() - 3600)))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.getMessage()).contains("days"));
        assertThatThrownBy(() -> history(Map.of("Days", 0)))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.getMessage()).contains("days"));
    }
}
