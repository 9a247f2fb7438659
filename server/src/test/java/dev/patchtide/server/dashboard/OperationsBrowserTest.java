package dev.patchtide.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowExecution;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowExecutionStatus;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.ScheduledWindowExecution;
import software.amazon.awssdk.services.ssm.model.Tag;
import software.amazon.awssdk.services.ssm.model.Target;

/**
 * The Commands and Maintenance windows pages in a real headless Chromium, over a real server: a window fired by
 * moving the server's clock, a command whose two hosts (their agent side spoken by the test) succeed and fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsBrowserTest {
    // Friday 27 March 2026, noon UTC: Paris is at UTC+1 until Sunday's spring-forward.
    private static final Instant START = Instant.parse("2026-03-27T12:00:00Z");
    private static final String LONG_OUTPUT = "x".repeat(30_000) + "\nthe end\n";

    static TestServer server;
    static SsmClient ssm;
    static HeadlessChromium chromium;
    static WebDriver browser;
    static WebDriverWait wait;
    static FakeAgent web;
    static FakeAgent db;
    static String windowId;
    static String commandId;
    static MaintenanceWindowExecution execution;

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(HeadlessChromium.installed(), HeadlessChromium.MISSING);
    }

    @BeforeAll
    static void start() throws Exception {
        if (!HeadlessChromium.installed()) {
            System.err.println(HeadlessChromium.MISSING);
            return;
        }
        MutableClock clock = new MutableClock(START);
        server = TestServer.start(clock);
        ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("agents").registrationLimit(2));
        web = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        db = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        web.report("web1", "10.0.0.1");
        db.report("db1", "10.0.0.2");
        ssm.addTagsToResource(b -> b.resourceType("ManagedInstance")
                .resourceId(web.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));

        windowId = ssm.createMaintenanceWindow(b -> b.name("nightly-scan")
                        .schedule("cron(0 4 ? * * *)")
                        .scheduleTimezone("Europe/Paris")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(true))
                .windowId();
        ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(windowId)
                .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                .taskArn("AWS-RunPatchBaseline")
                .targets(Target.builder()
                        .key("InstanceIds")
                        .values(web.instanceId())
                        .build())
                .maxConcurrency("1")
                .maxErrors("0")
                .priority(1)
                .taskInvocationParameters(
                        p -> p.runCommand(rc -> rc.parameters(Map.of("Operation", List.of("Scan"))))));
        // 04:00 in Paris on Saturday the 28th is 03:00 UTC: the window fires and its task sends the scan.
        clock.advance(Duration.between(clock.instant(), Instant.parse("2026-03-28T03:00:01Z")));
        String scan = await().atMost(Duration.ofSeconds(30))
                .until(() -> receive(web), ids -> !ids.isEmpty())
                .getFirst();
        update(web, scan, "Success", 0, "scanned\n", "");
        execution = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> ssm.describeMaintenanceWindowExecutions(b -> b.windowId(windowId))
                                .windowExecutions(),
                        all -> all.size() == 1 && all.getFirst().status() == MaintenanceWindowExecutionStatus.SUCCESS)
                .getFirst();

        commandId = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(web.instanceId(), db.instanceId())
                        .comment("disk check")
                        .parameters(Map.of("commands", List.of("df -h"))))
                .command()
                .commandId();
        await().atMost(Duration.ofSeconds(30)).until(() -> receive(web), ids -> ids.contains(commandId));
        update(web, commandId, "Success", 0, LONG_OUTPUT, "");
        await().atMost(Duration.ofSeconds(30)).until(() -> receive(db), ids -> ids.contains(commandId));
        update(db, commandId, "Failed", 3, "", "disk full\n");

        chromium = HeadlessChromium.start();
        browser = chromium.driver();
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void theDataNeedsASession() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path :
                List.of("/dashboard/api/commands", "/dashboard/api/commands/" + commandId, "/dashboard/api/windows")) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(server.endpoint().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.body()).contains("NotSignedIn");
        }
        open("/dashboard/commands");
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/login")));
    }

    @Test
    @Order(2)
    void theCommandsPageListsRecentCommandsWithStatusAndCounts() throws Exception {
        Map<String, Object> none = Map.of();
        JsonNode link = server.adminClient().call("Patchtide.CreateDashboardLoginLink", none);
        open(link.path("LoginPath").asText());
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/")));
        browser.findElement(By.linkText("Commands")).click();
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/commands")));
        wait.until(d -> rows("commands").size() == 2);

        List<String> row = rows("commands").stream()
                .filter(r -> r.getFirst().equals(commandId))
                .findFirst()
                .orElseThrow();
        assertThat(row).hasSize(9);
        assertThat(row.subList(0, 3)).containsExactly(commandId, "AWS-RunShellScript", "Failed");
        assertThat(row.subList(4, 9)).containsExactly("2", "2", "1", "0", "disk check");
        assertThat(rows("commands"))
                .anySatisfy(r -> assertThat(r.subList(1, 3)).containsExactly("AWS-RunPatchBaseline", "Success"));
    }

    @Test
    @Order(3)
    void aCommandShowsEachHostsStatusExitCodeAndOutputWithALinkToAllOfIt() throws Exception {
        browser.findElement(By.linkText(commandId)).click();
        wait.until(ExpectedConditions.textToBe(By.id("command-id"), commandId));
        assertThat(text("command-status")).isEqualTo("Failed");
        assertThat(text("parameters")).isEqualTo("commands=df -h executionTimeout=3600 workingDirectory=");
        assertThat(text("counts")).isEqualTo("2 / 2 / 1 / 0");
        wait.until(d -> rows("invocations").size() == 2);

        WebElement webRow = invocationRow(web.instanceId());
        List<WebElement> cells = webRow.findElements(By.cssSelector("th, td"));
        assertThat(cells.get(0).getText()).startsWith(web.instanceId());
        assertThat(cells.get(1).getText()).isEqualTo("Success");
        assertThat(cells.get(2).getText()).isEqualTo("0");
        String shown = webRow.findElement(By.cssSelector("pre.output")).getDomProperty("textContent");
        assertThat(shown).hasSize(24_000).startsWith("xxx").doesNotContain("the end");
        String full = webRow.findElement(By.linkText("Full output")).getDomProperty("href");
        HttpResponse<String> fullOutput = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(full)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fullOutput.statusCode()).isEqualTo(200);
        assertThat(fullOutput.body()).isEqualTo(LONG_OUTPUT);

        WebElement dbRow = invocationRow(db.instanceId());
        List<WebElement> dbCells = dbRow.findElements(By.cssSelector("th, td"));
        assertThat(dbCells.get(1).getText()).isEqualTo("Failed");
        assertThat(dbCells.get(2).getText()).isEqualTo("3");
        assertThat(dbRow.findElement(By.cssSelector("pre.output.errors")).getText())
                .isEqualTo("disk full");
    }

    @Test
    @Order(4)
    void theWindowsPageShowsScheduleNextRunsAndPastExecutionsWithTaskStatus() {
        browser.findElement(By.linkText("Maintenance windows")).click();
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/windows")));
        By section = By.cssSelector("section.window[data-window-id='" + windowId + "']");
        wait.until(d -> !d.findElements(section).isEmpty() || !text("error").isEmpty());
        assertThat(text("error")).isEmpty();
        WebElement window = browser.findElement(section);

        assertThat(window.findElement(By.tagName("h2")).getText()).isEqualTo("nightly-scan");
        assertThat(window.findElement(By.cssSelector(".schedule")).getText()).isEqualTo("cron(0 4 ? * * *)");
        assertThat(window.findElement(By.cssSelector(".timezone")).getText()).isEqualTo("Europe/Paris");
        List<String> expected = ssm
                .describeMaintenanceWindowSchedule(b -> b.windowId(windowId).maxResults(5))
                .scheduledWindowExecutions()
                .stream()
                .map(ScheduledWindowExecution::executionTime)
                .toList();
        assertThat(expected).isNotEmpty();
        assertThat(window.findElements(By.cssSelector(".next-runs li")).stream()
                        .map(WebElement::getText)
                        .toList())
                .isEqualTo(expected);

        List<List<String>> executions = window.findElements(By.cssSelector("table.executions tbody tr")).stream()
                .map(r -> r.findElements(By.cssSelector("th, td")).stream()
                        .map(WebElement::getText)
                        .toList())
                .toList();
        assertThat(executions).hasSize(1);
        assertThat(executions.getFirst().get(0)).isEqualTo(execution.windowExecutionId());
        assertThat(executions.getFirst().get(1)).isEqualTo("SUCCESS");
        assertThat(executions.getFirst().get(4)).isEqualTo("AWS-RunPatchBaseline: SUCCESS");
    }

    private static WebElement invocationRow(String instanceId) {
        return browser.findElement(By.cssSelector("#invocations tbody tr[data-instance-id='" + instanceId + "']"));
    }

    /** The agent's side of Run Command: the command ids handed to it. */
    private static List<String> receive(FakeAgent agent) throws Exception {
        JsonNode answer = agent.client()
                .call(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", agent.instanceId(), "WaitTimeSeconds", 1));
        List<String> ids = new ArrayList<>();
        answer.path("Invocations").forEach(i -> ids.add(i.path("CommandId").asText()));
        return ids;
    }

    private static void update(FakeAgent agent, String id, String status, int exitCode, String stdout, String stderr)
            throws Exception {
        agent.client()
                .call(
                        "Patchtide.UpdateCommandInvocation",
                        Map.of("CommandId", id, "InstanceId", agent.instanceId(), "Status", "InProgress"));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("CommandId", id);
        request.put("InstanceId", agent.instanceId());
        request.put("Status", status);
        request.put("ResponseCode", exitCode);
        request.put("StandardOutputContent", stdout);
        request.put("StandardErrorContent", stderr);
        agent.client().call("Patchtide.UpdateCommandInvocation", request);
    }

    private static void open(String path) {
        browser.get(url(path));
    }

    private static String url(String path) {
        return server.endpoint().resolve(path).toString();
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static List<List<String>> rows(String tableId) {
        return browser.findElements(By.cssSelector("#" + tableId + " tbody tr")).stream()
                .map(row -> row.findElements(By.cssSelector("th, td")).stream()
                        .map(WebElement::getText)
                        .toList())
                .toList();
    }
}
