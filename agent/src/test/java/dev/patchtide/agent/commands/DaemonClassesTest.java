package dev.patchtide.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.DebianHostTree;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.install.RunPatchBaseline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon that has run commands keeps databind's (de)serializer machinery out: an agent in a fresh JVM, logging
 * the classes it loads, runs an aws:runShellScript and an AWS-RunPatchBaseline Scan from this test's server, and
 * none of {@code com.fasterxml.jackson.databind.ser|deser|introspect|cfg} is loaded (they would stay, ≈ 14 MB of an
 * agent meant to idle in 64), nor starts a virtual thread. The server plays here, in the test's JVM, where the mapper may load.
 */
class DaemonClassesTest {
    private static final String MACHINERY = "com.fasterxml.jackson.databind.(ser|deser|introspect|cfg)\\.";

    @TempDir
    Path dir;

    @Test
    void anAgentThatRanAShellScriptAndAPatchScanLoadedNoneOfDatabindsMachinery() throws Exception {
        Path root = DebianHostTree.write(dir.resolve("root"), DebianHostTree.ONE_PACKAGE);
        Path state = Files.createDirectories(dir.resolve("state"));
        Path classes = dir.resolve("classes.log");
        try (FakeCommandServer server = new FakeCommandServer()) {
            ObjectNode scan = server.step("PatchLinux", RunPatchBaseline.ACTION);
            ((ObjectNode) scan.get("Inputs"))
                    .put("Operation", "Scan")
                    .put("RebootOption", "NoReboot")
                    .put("BaselineOverride", "[{\"OperatingSystem\":\"DEBIAN\"}]");
            server.send(server.invocation("c-shell", 600, server.shell("hello", "echo hello")));
            server.send(server.invocation("c-scan", 600, scan));
            Process agent = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xlog:class+load:file=" + classes,
                            "-cp",
                            System.getProperty("java.class.path"),
                            Daemon.class.getName(),
                            server.client("AKIDAGENT").endpoint().toString(),
                            state.toString(),
                            root.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent.log").toFile())
                    .start();
            try {
                JsonNode shell = await().atMost(Duration.ofSeconds(90))
                        .until(() -> server.finalUpdate("c-shell"), Optional::isPresent)
                        .orElseThrow();
                JsonNode patch = await().atMost(Duration.ofSeconds(90))
                        .until(() -> server.finalUpdate("c-scan"), Optional::isPresent)
                        .orElseThrow();
                assertThat(shell.path("StandardOutputContent").asText()).isEqualTo("hello\n");
                assertThat(patch.path("Status").asText()).as(patch.toString()).isEqualTo("Success");
                agent.getOutputStream().close(); // the daemon ends when its standard input does
                assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                agent.destroyForcibly();
            }
        }
        List<String> loaded = Files.readAllLines(classes);
        // the log holds what ran: the journal's codec and the patch step (else the check below proves nothing)
        assertThat(loaded).anyMatch(l -> l.contains(" " + JournalJson.class.getName() + " "));
        assertThat(loaded).anyMatch(l -> l.contains(" dev.patchtide.agent.install.PatchBaselineInputs "));
        assertThat(loaded)
                .filteredOn(l -> l.matches(".*\\] " + MACHINERY + ".*"))
                // an interface of the tree nodes' own features (JsonNodeFeature), loaded by any JsonNode: not the
                // mapper
                .filteredOn(l -> !l.contains(" com.fasterxml.jackson.databind.cfg.DatatypeFeature "))
                .isEmpty();
        // nor a virtual thread: the JDK's scheduler would keep an unblocker thread for the daemon's life
        assertThat(loaded)
                .noneMatch(l -> l.contains(" java.lang.VirtualThread$VThreadContinuation ")
                        || l.contains(" jdk.internal.misc.CarrierThread "));
    }

    /** The agent's side, in its own JVM: runs until its standard input ends (the test closes it). */
    public static final class Daemon {
        public static void main(String[] args) throws Exception {
            Registration registration = new Registration(
                    args[0], "us-east-1", FakeCommandServer.INSTANCE, "AKIDAGENT", "secret", 300, Instant.now());
            Agent agent = new Agent(
                            registration,
                            Path.of(args[1]),
                            Duration.ofMinutes(5),
                            Duration.ZERO,
                            Path.of(args[2]),
                            () -> new HostFacts("host", List.of("10.0.0.1"), "Linux", "Debian GNU/Linux", "12"),
                            Clock.systemUTC())
                    .rebootAction(() -> {})
                    .plugin(new RunPatchBaseline())
                    .commands(
                            true, new CommandRunner.Settings(1, Duration.ofMillis(300), 8192, 10, Duration.ofDays(1)));
            agent.start();
            // Blocks until the test closes the pipe; the agent's own threads do the work meanwhile.
            while (System.in.read() >= 0) {}
            agent.close();
            System.exit(0);
        }
    }
}
