package dev.patchtide.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassArchiveTest {

    @Test
    void namesTheListedClassesTheDumpCouldNotFindAndNothingElse() {
        // lines as the JDK 25 dump writes them when the list names a class the jar and runtime lack
        List<String> log = List.of(
                "[1.025s][warning][cds] Skipping jdk/internal/event/Event: JFR event class",
                "[2.246s][warning][cds] java.lang.ClassNotFoundException: dev.patchtide.agent.Gone",
                "[2.246s][warning][cds] Preload Warning: Cannot find dev/patchtide/agent/Gone",
                "[2.246s][warning][cds] Preload Warning: Cannot find java/lang/Gone$Inner");

        assertThat(ClassArchive.unknownNames(log)).containsExactly("dev/patchtide/agent/Gone", "java/lang/Gone$Inner");
        assertThat(ClassArchive.unknownNames(log.subList(0, 1))).isEmpty();
    }
}
