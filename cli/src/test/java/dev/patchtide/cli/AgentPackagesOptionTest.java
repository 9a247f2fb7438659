package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --agent-packages}: the folder enrolment hands out, checked before anything starts. */
class AgentPackagesOptionTest {

    @Test
    void aMissingFolderStopsServerAndUpBeforeAnythingStartsNamingTheSetting(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-folder");
        for (String command : new String[] {"server", "up"}) {
            Path data = dir.resolve(command + "-data");
            InProcessCli.Run run = InProcessCli.run(
                    command, "--agent-packages", missing.toString(), "--port", "0", "--data-dir", data.toString());
            assertThat(run.exit()).as(command).isEqualTo(1);
            assertThat(run.err())
                    .as(command)
                    .startsWith("error: agent-packages must be a folder of agent packages, but " + missing
                            + " does not exist");
            assertThat(data.resolve("postgres")).doesNotExist();
            assertThat(data.resolve("tls")).doesNotExist();
        }
    }

    @Test
    void aFileIsNotAFolder(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("patchtide-agent_0.1.0_amd64.deb"), "not a folder");
        InProcessCli.Run run = InProcessCli.run(
                "server",
                "--agent-packages",
                file.toString(),
                "--data-dir",
                dir.resolve("data").toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .contains("agent-packages must be a folder of agent packages, but " + file + " is not a folder");
    }

    @Test
    void aGivenFolderGoesIntoTheServersSettingsAbsolute(@TempDir Path dir) throws Exception {
        Path shelf = Files.createDirectories(dir.resolve("shelf"));
        ServerOptions options = new ServerOptions();
        new CommandLine(options).parseArgs("--agent-packages", shelf.toString(), "--insecure-http");
        assertThat(options.config().agentPackages()).contains(shelf.toAbsolutePath());
        ServerOptions none = new ServerOptions();
        new CommandLine(none).parseArgs("--insecure-http");
        assertThat(none.config().agentPackages()).isEmpty();
    }
}
