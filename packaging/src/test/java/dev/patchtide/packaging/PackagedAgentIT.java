package dev.patchtide.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.TestServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;

/**
 * The agent's .deb as this module's build made it: inspected with dpkg-deb, installed with dpkg into a
 * throwaway root ({@code dpkg --root --force-script-chrootless}), its unit checked by systemd-analyze, then the
 * packaged agent, on the runtime the package carries, registers with a real server and its scan arrives.
 */
class PackagedAgentIT {
    private static final Path OUT = Path.of(System.getProperty("packaging.out", "target"));
    private static final String VERSION = System.getProperty("packaging.version", "0.1.0");
    private static final Path DEB = OUT.resolve("patchtide-agent_" + VERSION + "_amd64.deb");
    private static final Path RPM = OUT.resolve("patchtide-agent-" + VERSION + "-1.x86_64.rpm");

    @Test
    void theDebCarriesItsRuntimeAndUnitAndNoBuildPaths(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg-deb")).as("dpkg-deb on PATH").isTrue();
        assertThat(DEB).as("the module's build writes the .deb").isRegularFile();
        assertThat(RPM).as("and the .rpm").isRegularFile();

        String info = Host.ok(dir, "dpkg-deb", "-I", DEB.toString());
        assertThat(info)
                .contains("Package: patchtide-agent")
                .contains("Version: " + VERSION)
                .contains("Architecture: amd64")
                .doesNotContain("Depends:"); // its own runtime: not even a Java package

        List<String> names = Host.ok(dir, "dpkg-deb", "-c", DEB.toString())
                .lines()
                .map(l -> l.substring(l.indexOf("./")))
                .toList();
        assertThat(names)
                .contains(
                        "./usr/bin/patchtide-agent",
                        "./usr/lib/patchtide-agent/patchtide-agent.jar",
                        "./usr/lib/patchtide-agent/agent-jvm.options",
                        "./usr/lib/patchtide-agent/agent.jsa",
                        "./usr/lib/patchtide-agent/runtime/bin/java",
                        "./usr/lib/patchtide-agent/runtime/lib/modules",
                        "./usr/lib/systemd/system/patchtide-agent.service",
                        "./var/lib/patchtide-agent/")
                .noneMatch(n -> n.contains("/work") || n.contains("target/") || n.contains(".m2"));

        Path control = dir.resolve("control");
        Host.ok(dir, "dpkg-deb", "-e", DEB.toString(), control.toString());
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
                    // the scripts register nothing and start nothing on a first install
                    assertThat(text)
                            .as(name)
                            .doesNotContain("patchtide-agent register")
                            .doesNotContain("systemctl enable")
                            .doesNotContain("systemctl start");
                }
            }
        }
    }

    @Test
    void theRpmHoldsTheSameAndRpmReadsIt(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("rpm")).as("rpm on PATH (apt-get install rpm)").isTrue();
        assertThat(Host.ok(dir, "rpm", "-K", "--nosignature", RPM.toString())).contains("digests OK");
        assertThat(Host.ok(dir, "rpm", "-qp", "--qf", "%{NAME} %{VERSION}-%{RELEASE} %{ARCH}\\n", RPM.toString()))
                .isEqualTo("patchtide-agent " + VERSION + "-1 x86_64\n");
        assertThat(Host.ok(dir, "rpm", "-qpl", RPM.toString()).lines())
                .contains(
                        "/usr/bin/patchtide-agent",
                        "/usr/lib/patchtide-agent/runtime/bin/java",
                        "/usr/lib/systemd/system/patchtide-agent.service",
                        "/var/lib/patchtide-agent")
                .noneMatch(n -> n.contains("/work") || n.contains("target/"));
        assertThat(Host.ok(dir, "rpm", "-qpR", RPM.toString()).lines()).allMatch(r -> r.startsWith("rpmlib("));
    }

    @Test
    void theInstalledAgentRunsOnItsOwnRuntimeRegistersAndReportsItsScan(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg")).as("dpkg on PATH").isTrue();
        Path root = dir.resolve("root");
        install(root);
        Path launcher = root.resolve("usr/bin/patchtide-agent");
        Path home = root.resolve("usr/lib/patchtide-agent");
        assertThat(launcher).isExecutable();
        for (Path text : List.of(launcher, root.resolve("usr/lib/systemd/system/patchtide-agent.service"))) {
            assertThat(Files.readString(text)).doesNotContain("/work/").doesNotContain("target/");
        }
        verifyUnit(root);

        // Its own runtime, whatever java the host (or this test's PATH) has.
        String version = Host.ok(dir, launcher.toString(), "--version");
        assertThat(version).contains("patchtide-agent " + VERSION);
        assertThat(Host.ok(dir, home.resolve("runtime/bin/java").toString(), "--list-modules"))
                .contains("java.net.http")
                .doesNotContain("jdk.compiler")
                .doesNotContain("java.rmi");

        Path state = root.resolve("var/lib/patchtide-agent");
        try (TestServer server = TestServer.start(InstantSource.system(), TestServer.fastHeartbeats())) {
            CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("packaged"));
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
                    "--state-dir",
                    state.toString());
            String instanceId = registered.replaceAll("(?s).*Registered as (mi-[0-9a-f]{17}).*", "$1");
            assertThat(instanceId).startsWith("mi-");
            assertThat(state.resolve("registration.json")).isRegularFile();

            Process agent = new ProcessBuilder(launcher.toString(), "run", "--state-dir", state.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent.log").toFile())
                    .start();
            try {
                // The launcher execs the runtime: the agent's process is the package's java.
                String java = home.resolve("runtime/bin/java").toString();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> agent.info().command().orElse(""), java::equals);
                // A loaded machine reads this host's apt lists slowly on a 64 MB heap: minutes, not seconds.
                InstancePatchState patches = await().atMost(Duration.ofSeconds(300))
                        .until(
                                () -> server.ssm()
                                        .describeInstancePatchStates(b -> b.instanceIds(instanceId))
                                        .instancePatchStates(),
                                states -> !states.isEmpty())
                        .getFirst();
                assertThat(patches.operation().toString()).isEqualTo("Scan");
                assertThat(patches.operationEndTime()).isNotNull();
                assertThat(server.ssm().describeInstanceInformation(b -> {}).instanceInformationList())
                        .anySatisfy(i -> assertThat(i.instanceId()).isEqualTo(instanceId));
            } finally {
                agent.destroy();
                if (!agent.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
        }
    }

    @Test
    void theInstalledAgentMapsItsClassesFromItsArchiveAndIgnoresAStaleOne(@TempDir Path dir) throws Exception {
        assumeThat(Host.onPath("dpkg")).as("dpkg on PATH").isTrue();
        Path root = dir.resolve("root");
        install(root);
        Path launcher = root.resolve("usr/bin/patchtide-agent");
        Path jar = root.resolve("usr/lib/patchtide-agent/patchtide-agent.jar");
        assertThat(root.resolve("usr/lib/patchtide-agent/agent.jsa")).isRegularFile();
        String version = Host.ok(dir, launcher.toString(), "--version");

        // As dpkg installed it (the files' times as packaged): the agent's own classes come from the archive.
        Path loaded = dir.resolve("loaded.log");
        Host withArchive = Host.run(
                dir,
                List.of(launcher.toString(), "--version"),
                Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + loaded));
        assertThat(withArchive.exit()).isZero();
        assertThat(Files.readString(loaded)).contains("dev.patchtide.agent.cli.AgentMain source: shared objects file");

        // A jar that no longer matches (replaced by hand): the JVM drops the archive, silently, and still starts.
        Files.setLastModifiedTime(
                jar, FileTime.from(Files.getLastModifiedTime(jar).toInstant().plusSeconds(60)));
        assertThat(Host.ok(dir, launcher.toString(), "--version")).isEqualTo(version);
        Host stale = Host.run(
                dir,
                List.of(launcher.toString(), "--version"),
                Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + loaded));
        assertThat(stale.exit()).isZero();
        assertThat(Files.readString(loaded))
                .contains("dev.patchtide.agent.cli.AgentMain source: file:")
                .doesNotContain("shared objects file");
    }

    /** dpkg's own install into an empty database under {@code root}; scripts run outside it but see DPKG_ROOT. */
    static void install(Path root) throws Exception {
        install(root, DEB, "patchtide-agent");
    }

    /** As {@link #install(Path)}, any of this build's packages; a second package joins the root's database. */
    static void install(Path root, Path deb, String name) throws Exception {
        for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log")) {
            Files.createDirectories(root.resolve(d));
        }
        for (String f : List.of("var/lib/dpkg/status", "var/lib/dpkg/available")) {
            if (!Files.exists(root.resolve(f))) {
                Files.writeString(root.resolve(f), "");
            }
        }
        String out = Host.ok(
                root,
                "dpkg",
                "--root=" + root,
                "--force-not-root",
                "--force-script-chrootless",
                "--log=" + root.resolve("var/log/dpkg.log"),
                "-i",
                deb.toString());
        assertThat(out).contains("Setting up " + name + " (" + VERSION + ")");
    }

    /**
     * systemd-analyze checks the unit in the root it is installed in (ExecStart must exist there). The root gets
     * the host's targets, as a real host has them, so the unit's default dependencies resolve.
     */
    private static void verifyUnit(Path root) throws Exception {
        verifyUnit(root, "patchtide-agent", "/usr/bin/patchtide-agent run");
    }

    /**
     * {@code systemd-analyze verify --root} of unit {@code name}, then of a copy whose ExecStart names a missing
     * program (it must be refused: the check does look); {@code execStart} is how the unit's ExecStart begins.
     */
    static void verifyUnit(Path root, String name, String execStart) throws Exception {
        if (!Host.onPath("systemd-analyze") || !Files.isDirectory(Path.of("/usr/lib/systemd/system"))) {
            return; // no systemd on this machine: nothing to verify with
        }
        Path units = Files.createDirectories(root.resolve("etc/systemd/system"));
        File[] targets = new File("/usr/lib/systemd/system").listFiles((d, n) -> n.endsWith(".target"));
        for (File target : targets == null ? new File[0] : targets) {
            if (!Files.exists(units.resolve(target.getName()))) {
                Files.copy(target.toPath(), units.resolve(target.getName()));
            }
        }
        Host ok = Host.run(root, List.of("systemd-analyze", "verify", "--root=" + root, name + ".service"));
        assertThat(ok.exit()).as(ok.output()).isZero();
        String unit = Files.readString(root.resolve("usr/lib/systemd/system/" + name + ".service"));
        assertThat(unit).contains("ExecStart=" + execStart);
        Files.writeString(
                units.resolve("broken-" + name + ".service"),
                unit.replace("ExecStart=" + execStart, "ExecStart=/usr/bin/patchtide-missing"));
        Host broken =
                Host.run(root, List.of("systemd-analyze", "verify", "--root=" + root, "broken-" + name + ".service"));
        assertThat(broken.exit()).isNotZero();
        assertThat(broken.output()).contains("patchtide-missing");
    }
}
