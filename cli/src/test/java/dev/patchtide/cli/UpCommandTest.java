package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.PingStatus;

/** {@code patchtide up} as a user runs it: a real process with embedded PostgreSQL and this host's agent. */
class UpCommandTest {

    @Test
    void upServesThisHostThroughTheWrittenProfileAndKeepsItAcrossRestarts(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String firstInstance;
        try (CliProcess up = startUp(dir, data)) {
            try (SsmClient ssm = clientFromProfile(data)) {
                // Online from registration on; the host's facts arrive with the agent's first report.
                InstanceInformation me = await().atMost(Duration.ofSeconds(30))
                        .until(
                                () -> onlyInstance(ssm),
                                i -> i != null && i.pingStatus() == PingStatus.ONLINE && i.computerName() != null);
                assertThat(me.computerName()).isEqualTo(AgentProcessTest.thisHostname());
                assertThat(me.platformName()).isEqualTo(osRelease("NAME"));
                assertThat(me.platformVersion()).isEqualTo(osRelease("VERSION_ID"));
                firstInstance = me.instanceId();
                assertScanReported(ssm, firstInstance, up);
            }
            InProcessCli.Run history =
                    InProcessCli.run("compliance", "history", firstInstance, "--data-dir", data.toString());
            assertThat(history.exit()).as(history.err()).isZero();
            assertThat(history.out()).contains("\"ComplianceStatus\"", "\"InstalledOtherCount\"");
            assertThat(history.out()).containsPattern("\"Time\" : \"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"");
            InProcessCli.Run fleet =
                    InProcessCli.run("compliance", "history", "--days", "2", "--data-dir", data.toString());
            assertThat(fleet.exit()).as(fleet.err()).isZero();
            assertThat(fleet.out()).contains("\"Date\"", "\"NonCompliantCount\"");
            InProcessCli.Run instances = InProcessCli.run("instances", "--data-dir", data.toString());
            assertThat(instances.exit()).as(instances.err()).isZero();
            assertThat(instances.out()).contains(firstInstance);
            InProcessCli.Run activations = InProcessCli.run("activations", "list", "--data-dir", data.toString());
            assertThat(activations.exit()).as(activations.err()).isZero();
            assertThat(activations.out()).contains("ACTIVATION ID").containsPattern("\\d+/\\d+");
            assertThat(up.output()).contains("export AWS_CONFIG_FILE=" + data.resolve("aws-config"));
            assertDashboardLinkSignsIn(up.output());
            assertThat(Files.readString(data.resolve("agent/registration.json")))
                    .contains(firstInstance);

            up.stop();
            assertThat(up.waitFor(Duration.ofSeconds(60))).isEqualTo(143);
            // A clean stop shuts PostgreSQL down too: no server is left holding the cluster.
            assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
        }

        try (CliProcess again = startUp(dir, data);
                SsmClient ssm = clientFromProfile(data)) {
            InstanceInformation me = await().atMost(Duration.ofSeconds(30))
                    .until(() -> onlyInstance(ssm), i -> i != null && i.pingStatus() == PingStatus.ONLINE);
            assertThat(me.instanceId()).isEqualTo(firstInstance);
            assertThat(ssm.describeActivations(b -> {}).activationList()).hasSize(1);
            assertThat(again.output()).contains(firstInstance);
        }
    }

    /** The printed one-time link opens a dashboard session, as the browser's login page would use it. */
    private static void assertDashboardLinkSignsIn(String output) throws Exception {
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("(http://\\S+)/dashboard/login#token=(\\S+)")
                .matcher(output);
        assertThat(link.find()).as("patchtide up said:\n%s", output).isTrue();
        assertThat(output).contains("Dashboard: " + link.group(1) + "/dashboard/");
        java.net.http.HttpResponse<String> signIn = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(link.group(1) + "/dashboard/login/link"))
                                .header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        "{\"Token\":\"" + link.group(2) + "\"}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
        assertThat(signIn.headers().firstValue("Set-Cookie")).isPresent();
    }

    @Test
    void secondUpOnTheSameDataFolderIsRefused(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (CliProcess first = startUp(dir, data);
                CliProcess second = CliProcess.start(dir, "up", "--data-dir", data.toString(), "--port", "0")) {
            assertThat(second.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(second.output()).contains("another Patchtide is already using");
            assertThat(first.isAlive()).isTrue();
        }
    }

    /**
     * The agent scans at start; on a Debian host the default baseline counts the security updates as missing.
     * The report is checked against what dpkg and apt say of this host, so a host without them cannot pass.
     */
    private static void assertScanReported(SsmClient ssm, String instanceId, CliProcess up) throws Exception {
        assertThat(Path.of("/var/lib/dpkg/status"))
                .as("this test checks the agent's apt scan of this host against dpkg's database and needs a Debian"
                        + " host with dpkg installed (Debian package dpkg)")
                .exists();
        List<software.amazon.awssdk.services.ssm.model.InstancePatchState> states;
        try {
            states = await().atMost(Duration.ofSeconds(90))
                    .until(
                            () -> up.output().contains("patch scan failed")
                                    ? List.of()
                                    : ssm.describeInstancePatchStates(b -> b.instanceIds(instanceId))
                                            .instancePatchStates(),
                            found -> !found.isEmpty() || up.outputSoFar().contains("patch scan failed"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no scan was reported; patchtide up said:\n" + up.output(), e);
        }
        assertThat(states).as("patchtide up said:\n%s", up.output()).isNotEmpty();
        var state = states.getFirst();
        long security = new dev.patchtide.agent.scan.apt.AptScanner(Path.of("/"))
                .upgradable().stream()
                        .filter(dev.patchtide.agent.scan.apt.AptUpdate::security)
                        .count();
        assertThat(state.operationAsString()).isEqualTo("Scan");
        assertThat((long) state.missingCount()).isEqualTo(security);
        assertThat(state.installedOtherCount()).isPositive();
    }

    private static CliProcess startUp(Path dir, Path data) throws Exception {
        // JUnit's temp folders are 0700; as root, the embedded PostgreSQL runs as 'nobody' and must pass through.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        CliProcess up = CliProcess.start(
                dir, "up", "--data-dir", data.toString(), "--port", "0", "--heartbeat-interval", "PT1S");
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !up.isAlive() || up.output().contains("Press Ctrl-C to stop."));
        assertThat(up.isAlive())
                .as("patchtide up exited early:\n%s", up.output())
                .isTrue();
        return up;
    }

    /** The SDK reads the very files the AWS CLI is pointed at by the printed export line. */
    private static SsmClient clientFromProfile(Path data) throws Exception {
        ProfileFile config = ProfileFile.builder()
                .content(data.resolve("aws-config"))
                .type(ProfileFile.Type.CONFIGURATION)
                .build();
        ProfileFile credentials = ProfileFile.builder()
                .content(data.resolve("aws-credentials"))
                .type(ProfileFile.Type.CREDENTIALS)
                .build();
        Map<String, String> profile = config.profile("patchtide").orElseThrow().properties();
        return SsmClient.builder()
                .endpointOverride(URI.create(profile.get("endpoint_url")))
                .region(Region.of(profile.get("region")))
                .credentialsProvider(ProfileCredentialsProvider.builder()
                        .profileFile(credentials)
                        .profileName("patchtide")
                        .build())
                .build();
    }

    private static InstanceInformation onlyInstance(SsmClient ssm) {
        List<InstanceInformation> list =
                ssm.describeInstanceInformation(b -> {}).instanceInformationList();
        return list.size() == 1 ? list.getFirst() : null;
    }

    private static String osRelease(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).replace("\"", "");
            }
        }
        throw new AssertionError(key + " not in /etc/os-release");
    }
}
