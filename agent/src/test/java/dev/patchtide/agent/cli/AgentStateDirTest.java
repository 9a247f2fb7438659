package dev.patchtide.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which registration a one-off {@code agent scan} uses when no --state-dir is given. */
class AgentStateDirTest {
    private static final Registration REGISTRATION = new Registration(
            "http://127.0.0.1:8420", "us-east-1", "mi-0123456789abcdef0", "AKIA", "secret", 300, Instant.EPOCH);

    @Test
    void theStandardRegistrationWinsWhenThereIsOne(@TempDir Path dir) throws Exception {
        RegistrationFile standard = new RegistrationFile(dir.resolve("standard"));
        RegistrationFile upAgent = new RegistrationFile(dir.resolve("data/agent"));
        standard.write(REGISTRATION);
        upAgent.write(REGISTRATION);
        assertThat(AgentCommand.StateDir.resolve(standard, upAgent).path()).isEqualTo(standard.path());
    }

    @Test
    void upsAgentIsUsedWhenTheStandardDirHasNone(@TempDir Path dir) throws Exception {
        RegistrationFile standard = new RegistrationFile(dir.resolve("standard"));
        RegistrationFile upAgent = new RegistrationFile(dir.resolve("data/agent"));
        upAgent.write(REGISTRATION);
        assertThat(AgentCommand.StateDir.resolve(standard, upAgent).path()).isEqualTo(upAgent.path());
    }

    @Test
    void withNeitherTheStandardDirIsNamed(@TempDir Path dir) throws Exception {
        RegistrationFile standard = new RegistrationFile(dir.resolve("standard"));
        RegistrationFile upAgent = new RegistrationFile(dir.resolve("data/agent"));
        assertThat(AgentCommand.StateDir.resolve(standard, upAgent).path()).isEqualTo(standard.path());
    }
}
