package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.tls.ServerCa;
import dev.patchtide.server.tls.Fingerprints;
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
        String caPem;
        String serverPem;
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
            assertThat(up.output()).contains("Patchtide is up: API at https://127.0.0.1:");
            assertDashboardLinkSignsIn(up.output(), data);
            assertAwsCliWorksThroughTheProfile(data, firstInstance);
            assertEnrolmentLinesCarryThePins(data);
            assertThat(Files.readString(data.resolve("agent/registration.json")))
                    .contains(firstInstance);

            caPem = Files.readString(data.resolve("tls/ca.pem"));
            serverPem = Files.readString(data.resolve("tls/server.pem"));
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
            // up's own activation was not made again; the other is the one 'activations create' made above
            assertThat(ssm.describeActivations(b -> {}).activationList()).hasSize(2);
            assertThat(again.output()).contains(firstInstance);
            // The CA agents pinned, and the server certificate made for the same names, are those of the first run.
            assertThat(Files.readString(data.resolve("tls/ca.pem"))).isEqualTo(caPem);
            assertThat(Files.readString(data.resolve("tls/server.pem"))).isEqualTo(serverPem);
            assertThat(Files.readString(data.resolve("agent/server-ca.pem"))).isEqualTo(caPem);
        }
    }

    /** The printed one-time link opens a dashboard session over HTTPS, with a Secure cookie. */
    private static void assertDashboardLinkSignsIn(String output, Path data) throws Exception {
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("(https://\\S+)/dashboard/login#token=(\\S+)")
                .matcher(output);
        assertThat(link.find()).as("patchtide up said:\n%s", output).isTrue();
        assertThat(output).contains("Dashboard: " + link.group(1) + "/dashboard/");
        java.net.http.HttpResponse<String> signIn = ServerCa.pinnedTo(ServerCa.read(data.resolve("tls/ca.pem")))
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(link.group(1) + "/dashboard/login/link"))
                                .header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        "{\"Token\":\"" + link.group(2) + "\"}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
        assertThat(signIn.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");
    }

    /**
     * The AWS CLI with nothing but the written profile (none of this machine's AWS_ variables, so no
     * AWS_CA_BUNDLE): its ca_bundle is what makes it trust the server.
     */
    private static void assertAwsCliWorksThroughTheProfile(Path data, String instanceId) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.patchtide.server.testing.AwsCli.present(), "the aws command is not installed");
        assertThat(Files.readString(data.resolve("aws-config"))).contains("ca_bundle = " + data.resolve("tls/ca.pem"));
        ProcessBuilder aws = new ProcessBuilder(
                        dev.patchtide.server.testing.AwsCli.executable(),
                        "ssm",
                        "describe-instance-information",
                        "--output",
                        "json")
                .redirectErrorStream(true);
        aws.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        aws.environment().put("AWS_CONFIG_FILE", data.resolve("aws-config").toString());
        aws.environment()
                .put(
                        "AWS_SHARED_CREDENTIALS_FILE",
                        data.resolve("aws-credentials").toString());
        aws.environment().put("AWS_PROFILE", "patchtide");
        Process process = aws.start();
        String said = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(said).isZero();
        assertThat(said).contains(instanceId);
    }

    /**
     * {@code activations create} prints the one-line enrolment with both pins, and the register line with the
     * CA's; an agent given another fingerprint refuses the server, saying so.
     */
    private static void assertEnrolmentLinesCarryThePins(Path data) throws Exception {
        InProcessCli.Run created = InProcessCli.run("activations", "create", "--data-dir", data.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        java.security.cert.X509Certificate ca = ServerCa.read(data.resolve("tls/ca.pem"));
        java.security.cert.X509Certificate serverCert = ServerCa.read(data.resolve("tls/server.pem"));
        String caPin = Fingerprints.certificate(ca);
        assertThat(caPin).matches("sha256:[0-9a-f]{64}");
        java.util.regex.Matcher enrol = java.util.regex.Pattern.compile(
                        "(?m)^  curl -fsS -k --pinnedpubkey 'sha256//([A-Za-z0-9+/=]{44})' https://127\\.0\\.0\\.1:(\\d+)"
                                + "/enroll\\.sh \\| sudo sh -s -- --activation-id (\\S+) --activation-code (\\S+)"
                                + " --ca-fingerprint (sha256:[0-9a-f]{64})$")
                .matcher(created.out());
        assertThat(enrol.find()).as(created.out()).isTrue();
        assertThat(enrol.group(1)).isEqualTo(Fingerprints.publicKeyPin(serverCert));
        assertThat(enrol.group(5)).isEqualTo(caPin);
        String endpoint = "https://127.0.0.1:" + enrol.group(2);
        assertThat(created.out())
                .contains("  ./patchtide agent register --server " + endpoint + " --activation-id " + enrol.group(3)
                        + " --activation-code " + enrol.group(4) + " --ca-fingerprint " + caPin + "\n");

        String wrong = "sha256:" + "0".repeat(64);
        InProcessCli.Run refused = InProcessCli.run(
                "agent",
                "register",
                "--server",
                endpoint,
                "--activation-id",
                enrol.group(3),
                "--activation-code",
                enrol.group(4),
                "--ca-fingerprint",
                wrong,
                "--state-dir",
                data.resolve("../other-agent").toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err())
                .startsWith(
                        "error: the server's CA fingerprint did not match: expected " + wrong + ", presented " + caPin);
        assertThat(data.resolve("../other-agent/registration.json")).doesNotExist();
    }

    @Test
    void plainHttpBeyondLoopbackIsRefusedNamingTheSetting(@TempDir Path dir) {
        InProcessCli.Run run = InProcessCli.run(
                "server", "--insecure-http", "--bind", "0.0.0.0", "--port", "0", "--data-dir", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("error: insecure-http serves plain HTTP on a loopback address only, but bind is 0.0.0.0");
        assertThat(dir.resolve("postgres")).doesNotExist();
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

    /** The SDK reads the very files the AWS CLI is pointed at by the printed export line, trusting its ca_bundle. */
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
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        java.security.KeyStore anchors = java.security.KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", ServerCa.read(Path.of(profile.get("ca_bundle"))));
        trust.init(anchors);
        return SsmClient.builder()
                .httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.builder()
                        .tlsTrustManagersProvider(trust::getTrustManagers)
                        .build())
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
