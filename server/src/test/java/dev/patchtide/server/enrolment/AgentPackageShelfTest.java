package dev.patchtide.server.enrolment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request names only our packages, in the shelf's own directory. */
class AgentPackageShelfTest {

    @Test
    void findsOurPackagesByExactNameAndNothingElse(@TempDir Path dir) throws Exception {
        Path shelfDir = Files.createDirectories(dir.resolve("shelf"));
        Files.writeString(shelfDir.resolve("patchtide-agent_1.2.3_amd64.deb"), "deb");
        Files.writeString(shelfDir.resolve("patchtide-agent-1.2.3-1.x86_64.rpm"), "rpm");
        Files.writeString(shelfDir.resolve("notes.txt"), "not a package");
        Files.writeString(dir.resolve("patchtide-agent_9_amd64.deb"), "outside");
        AgentPackageShelf shelf = new AgentPackageShelf(shelfDir);

        assertThat(shelf.find("patchtide-agent_1.2.3_amd64.deb"))
                .contains(shelfDir.resolve("patchtide-agent_1.2.3_amd64.deb"));
        assertThat(shelf.fileFor("1.2.3", "rpm")).contains("patchtide-agent-1.2.3-1.x86_64.rpm");
        assertThat(shelf.fileFor("1.2.4", "deb")).isEmpty();
        assertThat(shelf.find("notes.txt")).isEmpty();
        assertThat(shelf.find("../patchtide-agent_9_amd64.deb")).isEmpty();
        assertThat(shelf.find("patchtide-agent_1.2.3_amd64.deb/..")).isEmpty();
        assertThat(shelf.find(null)).isEmpty();
        assertThat(shelf.isEmpty()).isFalse();
        assertThat(new AgentPackageShelf(dir.resolve("missing")).isEmpty()).isTrue();
    }
}
