package dev.patchtide.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.compliance.ComplianceFleet;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
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

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), one
 * browser for the whole class, driven in order: sign-in, summary, drill-down, sign-out, login link.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static TestServer server;
    static ComplianceFleet fleet;
    static HeadlessChromium chromium;
    static WebDriver browser;
    static WebDriverWait wait;

    /** Each test, not only the class, reports the skip, so a run without Chromium shows it as skipped. */
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
        server = TestServer.start(MutableClock.ofNow());
        fleet = ComplianceFleet.create(server);
        chromium = HeadlessChromium.start();
        browser = chromium.driver();
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void theDashboardAsksForSignInAndRefusesAnInstanceKey() {
        open("/dashboard/");
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/login")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in to the dashboard");

        signIn(fleet.web1().accessKeyId(), fleet.web1().secretAccessKey());
        WebElement error = browser.findElement(By.id("login-error"));
        wait.until(d -> !error.getText().isEmpty());
        assertThat(error.getText()).contains("not valid");
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/dashboard/login"));
    }

    @Test
    @Order(2)
    void signedInTheSummaryMatchesTheFleet() {
        signIn(server.adminKey().accessKeyId(), server.adminKey().secretAccessKey());
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/")));
        wait.until(ExpectedConditions.textToBe(By.id("total-non-compliant"), "2"));

        assertThat(text("total-instances")).isEqualTo("5");
        assertThat(text("total-compliant")).isEqualTo("2");
        assertThat(text("total-not-scanned")).isEqualTo("1");
        assertThat(text("total-security")).isEqualTo("3");
        assertThat(text("total-critical")).isEqualTo("0");
        assertThat(rows("groups"))
                .containsExactly(
                        List.of("(none)", "1", "1", "0", "0", "0", "0", "0"),
                        List.of("db", "1", "0", "1", "0", "0", "2", "0"),
                        List.of("web", "3", "1", "1", "1", "0", "1", "0"));

        wait.until(d -> rows("non-compliant").size() == 2);
        assertThat(rows("non-compliant"))
                .containsExactly(
                        List.of(
                                "web1.example.com",
                                fleet.web1().instanceId(),
                                "web",
                                "0",
                                "1",
                                "0",
                                "Patch Group=web env=prod"),
                        List.of(
                                "db1.example.com",
                                fleet.db1().instanceId(),
                                "db",
                                "0",
                                "2",
                                "0",
                                "Patch Group=db env=prod owner=dba-team"));
    }

    @Test
    @Order(3)
    void anInstanceDrillDownListsItsMissingPatches() {
        browser.findElement(By.linkText("db1.example.com")).click();
        wait.until(ExpectedConditions.textToBe(By.id("instance-name"), "db1.example.com"));

        assertThat(text("instance-id")).isEqualTo(fleet.db1().instanceId());
        assertThat(text("status")).isEqualTo("NON_COMPLIANT");
        assertThat(text("patch-group")).isEqualTo("db");
        assertThat(text("ping-status")).isEqualTo("Online");
        assertThat(text("counts")).isEqualTo("0 / 2 / 0");
        assertThat(rows("patches"))
                .containsExactly(
                        List.of("curl", "curl.amd64:1.0-2", "utils", "optional", "MISSING", "CVE-2025-0001"),
                        List.of("openssl", "openssl.amd64:1.0-2", "utils", "optional", "MISSING", "CVE-2025-0001"));
    }

    @Test
    @Order(4)
    void signingOutEndsTheSessionAndAOneTimeLinkSignsInOnce() throws Exception {
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/login")));
        open("/dashboard/");
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/login")));

        Map<String, Object> none = Map.of();
        String link = fleet.admin()
                .call("Patchtide.CreateDashboardLoginLink", none)
                .path("LoginPath")
                .asText();
        open(link);
        wait.until(ExpectedConditions.urlToBe(url("/dashboard/")));
        wait.until(ExpectedConditions.textToBe(By.id("total-instances"), "5"));

        open(link);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("link-status"), "already used"));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/dashboard/login"));
    }

    private static void signIn(String keyId, String secret) {
        WebElement id = browser.findElement(By.id("access-key-id"));
        id.clear();
        id.sendKeys(keyId);
        WebElement secretField = browser.findElement(By.id("secret-access-key"));
        secretField.clear();
        secretField.sendKeys(secret);
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
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

    /** The visible text of each body row's cells (header cell included), top to bottom. */
    private static List<List<String>> rows(String tableId) {
        return browser.findElements(By.cssSelector("#" + tableId + " tbody tr")).stream()
                .map(row -> row.findElements(By.cssSelector("th, td")).stream()
                        .map(WebElement::getText)
                        .toList())
                .toList();
    }
}
