package dev.patchtide.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.enrolment.AgentPackageShelf;
import dev.patchtide.server.testing.TestServer;
import dev.patchtide.server.tls.HostNames;
import dev.patchtide.server.tls.PrivateCa;
import dev.patchtide.server.tls.TlsMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;

/**
 * An agent upgrading itself through the command channel, end to end on this machine: the module's .deb (the
 * older agent) installed with dpkg into a throwaway root and run from there, a newer .deb repacked from it with
 * dpkg-deb (its jar saying the newer version), a server over HTTPS from its private CA whose agent-package shelf
 * holds both, and {@code Patchtide-UpdateAgent} sent with the AWS SDK. There is no systemd here: the agent ends
 * with its restart exit code once it reported, and the test starts it again, as the unit's restart would.
 */
class AgentUpgradeIT {
    private static final Path OUT = Path.of(System.getProperty("packaging.out", "target"));
    private static final String VERSION = System.getProperty("packaging.version", "0.1.0");
    private static final Path DEB = OUT.resolve("patchtide-agent_" + VERSION + "_amd64.deb");
    /** A version dpkg and the server both order after the build's: its dotted numbers and one more. */
    private static final String NEWER = numbers(VERSION) + ".1";

    private static final int RESTART_EXIT = 75;

    @Test
    void anOlderAgentUpgradesToTheShippedVersionReportsOnceAndRefusesADowngrade(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg") && Host.onPath("dpkg-deb"))
                .as("dpkg and dpkg-deb on PATH")
                .isTrue();
        assertThat(DEB).as("the module's build writes the .deb").isRegularFile();

        Path shelf = Files.createDirectories(dir.resolve("shelf"));
        Files.copy(DEB, shelf.resolve(DEB.getFileName()));
        Path newer = repack(dir.resolve("repack"), shelf);

        Path root = dir.resolve("root");
        PackagedAgentIT.install(root);
        assertThat(installedVersion(root)).isEqualTo(VERSION);
        Path launcher = root.resolve("usr/bin/patchtide-agent");
        Path state = root.resolve("var/lib/patchtide-agent");

        TlsMaterial tls = new PrivateCa(dir.resolve("tls"), InstantSource.system())
                .loadOrCreate(HostNames.ofThisHost("127.0.0.1", Optional.empty()));
        try (TestServer server = TestServer.start(
                        InstantSource.system(),
                        config -> config.withTls(tls).withPingPolicy(TestServer.fastHeartbeats()),
                        new AgentPackageShelf(shelf));
                SsmClient ssm = sdk(server, tls)) {
            CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("upgrade"));
            String registered = Host.ok(
                    dir,
                    launcher.toString(),
                    "register",
                    "--server",
                    server.endpoint().toString(),
                    "--activation-id",
                    activation.activationId(),
                    "--activation-code",
                    activation.activationCode(),
                    "--ca-fingerprint",
                    tls.caFingerprint(),
                    "--state-dir",
                    state.toString());
            String instanceId = registered.replaceAll("(?s).*Registered as (mi-[0-9a-f]{17}).*", "$1");
            assertThat(instanceId).startsWith("mi-");

            Process agent = runAgent(launcher, state, dir.resolve("agent-1.log"));
            String upgrade;
            try {
                // Before: the agent runs the build's version, the server ships a newer one.
                InstanceInformation before = awaitInstance(ssm, instanceId, VERSION);
                assertThat(before.isLatestVersion()).isFalse();

                upgrade = send(ssm, instanceId, Map.of());
                // No systemd: the agent ends so that its supervisor starts the new version, after it reported.
                assertThat(agent.waitFor(3, TimeUnit.MINUTES))
                        .as("the agent ends after the upgrade; log:%n%s", log(dir.resolve("agent-1.log")))
                        .isTrue();
                assertThat(agent.exitValue()).isEqualTo(RESTART_EXIT);
                GetCommandInvocationResponse reported = invocation(ssm, upgrade, instanceId);
                assertThat(reported.status())
                        .as("reported before the restart; log:%n%s", log(dir.resolve("agent-1.log")))
                        .isEqualTo(CommandInvocationStatus.SUCCESS);
                assertThat(reported.standardOutputContent())
                        .contains("upgrading patchtide-agent from " + VERSION + " to " + NEWER)
                        .contains("SHA-256 " + sha256(newer) + " matches")
                        .contains("installed patchtide-agent " + NEWER + " (was " + VERSION + ")");
                assertThat(installedVersion(root)).isEqualTo(NEWER);
                assertThat(Host.ok(dir, launcher.toString(), "--version")).contains("patchtide-agent " + NEWER);
            } finally {
                stop(agent);
            }

            agent = runAgent(launcher, state, dir.resolve("agent-2.log"));
            try {
                InstanceInformation after = awaitInstance(ssm, instanceId, NEWER);
                assertThat(after.isLatestVersion()).isTrue();

                // The restarted agent settled its journal before it takes new work; the upgrade stayed done once.
                String echo = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                                .instanceIds(instanceId)
                                .parameters(Map.of("commands", List.of("echo after the upgrade"))))
                        .command()
                        .commandId();
                assertThat(awaitFinal(ssm, echo, instanceId).status()).isEqualTo(CommandInvocationStatus.SUCCESS);
                assertThat(ssm.listCommandInvocations(b -> b.commandId(upgrade).details(true))
                                .commandInvocations())
                        .singleElement()
                        .satisfies(i -> assertThat(i.status()).isEqualTo(CommandInvocationStatus.SUCCESS))
                        .satisfies(i -> assertThat(i.commandPlugins())
                                .singleElement()
                                .satisfies(p -> assertThat(p.name()).isEqualTo("updatePatchtideAgent")));
                assertThat(upgradesIn(root.resolve("var/log/dpkg.log")))
                        .as("dpkg upgraded the package once")
                        .containsExactly(VERSION + " " + NEWER);
                assertThat(log(dir.resolve("agent-2.log"))).doesNotContain("resuming step");

                // A downgrade is refused, with a message saying how to allow it; the package stays.
                String down = send(ssm, instanceId, Map.of("version", List.of(VERSION)));
                GetCommandInvocationResponse refused = awaitFinal(ssm, down, instanceId);
                assertThat(refused.status()).isEqualTo(CommandInvocationStatus.FAILED);
                assertThat(refused.standardErrorContent())
                        .contains("refusing to downgrade patchtide-agent from " + NEWER + " to " + VERSION
                                + "; run Patchtide-UpdateAgent with allowDowngrade=true to allow it");
                // The version it runs already: nothing to do, and it says so.
                String same = send(ssm, instanceId, Map.of());
                GetCommandInvocationResponse skipped = awaitFinal(ssm, same, instanceId);
                assertThat(skipped.status()).isEqualTo(CommandInvocationStatus.SUCCESS);
                assertThat(skipped.standardOutputContent())
                        .contains("patchtide-agent is already at version " + NEWER + "; nothing to install");
                assertThat(agent.isAlive()).as("no restart without an install").isTrue();
                assertThat(installedVersion(root)).isEqualTo(NEWER);
                assertThat(upgradesIn(root.resolve("var/log/dpkg.log"))).hasSize(1);
            } finally {
                stop(agent);
            }
        }
    }

    /**
     * The build's .deb unpacked with dpkg-deb, its jar made to say {@link #NEWER} (the version resource the agent
     * reports), its control file likewise, and built again, onto the shelf.
     */
    private static Path repack(Path work, Path shelf) throws Exception {
        Path tree = work.resolve("tree");
        Files.createDirectories(work);
        Host.ok(work, "dpkg-deb", "-R", DEB.toString(), tree.toString());
        Path jar = tree.resolve("usr/lib/patchtide-agent/patchtide-agent.jar");
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            Files.writeString(zip.getPath("dev/patchtide/core/version.properties"), "version=" + NEWER + "\n");
        }
        Path control = tree.resolve("DEBIAN/control");
        String text = Files.readString(control);
        assertThat(text).contains("Version: " + VERSION + "\n");
        Files.writeString(control, text.replace("Version: " + VERSION + "\n", "Version: " + NEWER + "\n"));
        Path md5sums = tree.resolve("DEBIAN/md5sums");
        if (Files.exists(md5sums)) {
            String sum =
                    HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(jar)));
            Files.writeString(
                    md5sums,
                    Files.readString(md5sums)
                            .replaceAll(
                                    "(?m)^[0-9a-f]{32}(  usr/lib/patchtide-agent/patchtide-agent\\.jar)$", sum + "$1"));
        }
        Path built = work.resolve("patchtide-agent_" + NEWER + "_amd64.deb");
        // gzip at its fastest: xz, dpkg-deb's default, takes minutes on a loaded machine for a 50 MB runtime
        Host.ok(work, "dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", tree.toString(), built.toString());
        assertThat(Host.ok(work, "dpkg-deb", "-f", built.toString(), "Version").strip())
                .isEqualTo(NEWER);
        return Files.copy(built, shelf.resolve(built.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Process runAgent(Path launcher, Path state, Path log) throws IOException {
        return new ProcessBuilder(
                        launcher.toString(), "run", "--state-dir", state.toString(), "--scan-interval", "PT0S")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static void stop(Process agent) throws InterruptedException {
        agent.destroy();
        if (!agent.waitFor(60, TimeUnit.SECONDS)) {
            agent.destroyForcibly();
        }
    }

    private static InstanceInformation awaitInstance(SsmClient ssm, String instanceId, String version) {
        return await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> ssm.describeInstanceInformation(b -> {}).instanceInformationList().stream()
                                .filter(i -> i.instanceId().equals(instanceId))
                                .findFirst()
                                .orElse(null),
                        i -> i != null && version.equals(i.agentVersion()));
    }

    private static String send(SsmClient ssm, String instanceId, Map<String, List<String>> parameters) {
        return ssm.sendCommand(b -> b.documentName("Patchtide-UpdateAgent")
                        .instanceIds(instanceId)
                        .parameters(parameters))
                .command()
                .commandId();
    }

    private static GetCommandInvocationResponse invocation(SsmClient ssm, String commandId, String instanceId) {
        return ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId));
    }

    private static GetCommandInvocationResponse awaitFinal(SsmClient ssm, String commandId, String instanceId) {
        return await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> invocation(ssm, commandId, instanceId),
                        i -> i.status() != CommandInvocationStatus.PENDING
                                && i.status() != CommandInvocationStatus.IN_PROGRESS
                                && i.status() != CommandInvocationStatus.DELAYED);
    }

    private static String installedVersion(Path root) throws Exception {
        return Host.ok(
                        root,
                        "dpkg-query",
                        "--admindir=" + root.resolve("var/lib/dpkg"),
                        "-W",
                        "--showformat=${Version}",
                        "patchtide-agent")
                .strip();
    }

    /** "from to" of each upgrade dpkg logged for the package. */
    private static List<String> upgradesIn(Path dpkgLog) throws IOException {
        Matcher m = Pattern.compile("(?m) upgrade patchtide-agent:amd64 (\\S+) (\\S+)$")
                .matcher(Files.readString(dpkgLog));
        return m.results().map(r -> r.group(1) + " " + r.group(2)).toList();
    }

    private static SsmClient sdk(TestServer server, TlsMaterial tls) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", tls.ca());
        trust.init(anchors);
        return SsmClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .httpClient(ApacheHttpClient.builder()
                        .tlsTrustManagersProvider(trust::getTrustManagers)
                        .build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static String log(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String numbers(String version) {
        Matcher m = Pattern.compile("^[0-9]+(\\.[0-9]+)*").matcher(version);
        if (!m.find()) {
            throw new IllegalStateException("the build's version has no leading numbers: " + version);
        }
        return m.group();
    }
}
