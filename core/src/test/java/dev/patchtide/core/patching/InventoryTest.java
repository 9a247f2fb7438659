package dev.patchtide.core.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InventoryTest {

    @Test
    void canonicalTextReadsBackWithArchsVersionsAndInstallTimes() {
        List<InstalledPackage> packages = List.of(
                new InstalledPackage("bash", "amd64", "5.2.15-2+b7", Optional.empty()),
                new InstalledPackage(
                        "kernel", "x86_64", "5.14.0-427.el9", Optional.of(Instant.ofEpochSecond(1_700_000_000))),
                new InstalledPackage(
                        "kernel", "x86_64", "5.14.0-503.el9", Optional.of(Instant.ofEpochSecond(1_732_000_000))),
                new InstalledPackage("tzdata", "all", "2024a-0+deb12u1", Optional.empty()));

        List<InstalledPackage> read = Inventory.parse(Inventory.canonical(packages));

        assertThat(read).containsExactlyElementsOf(packages);
        assertThat(Inventory.parse("bash\tamd64\t5.2\t"))
                .containsExactly(new InstalledPackage("bash", "amd64", "5.2", Optional.empty()));
        assertThat(Inventory.parse("")).isEmpty();
    }

    @Test
    void aLineWithoutExactlyFourFieldsIsRefusedNamingIt() {
        assertThatThrownBy(() -> Inventory.parse("bash\tamd64\t5.2\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bash\tamd64\t5.2");
        assertThatThrownBy(() -> Inventory.parse("a\tb\tc\td\te\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not name, arch, version, time");
        assertThatThrownBy(() -> Inventory.parse("bash\tamd64\t5.2\tyesterday\n"))
                .isInstanceOf(NumberFormatException.class);
    }

    @Test
    void namedPackagesAreFoundWithoutReadingTheRest() {
        String[] names = {"a", "ab", "abc", "a-b", "b", "lib", "lib2", "libc6", "libc6-dev", "z", "zz", "\u00e9t\u00e9"
        };
        java.util.Random random = new java.util.Random(5);
        for (int n = 0; n < 500; n++) {
            List<InstalledPackage> packages = new java.util.ArrayList<>();
            for (String name : names) {
                for (int c = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(2); c > 0; c--) {
                    packages.add(new InstalledPackage(
                            name,
                            random.nextBoolean() ? "amd64" : "i386",
                            String.valueOf(random.nextInt(5)),
                            random.nextBoolean() ? Optional.empty() : Optional.of(Instant.ofEpochSecond(c))));
                }
            }
            String text = Inventory.canonical(packages);
            List<String> wanted = new java.util.ArrayList<>();
            for (String name : names) {
                if (random.nextInt(3) == 0) {
                    wanted.add(name);
                }
            }
            wanted.add(random.nextBoolean() ? "absent" : "libc");

            assertThat(Inventory.named(text, wanted))
                    .as(text + wanted)
                    .containsExactlyElementsOf(Inventory.parse(text).stream()
                            .filter(p -> wanted.contains(p.name()))
                            .toList());
        }
        assertThat(Inventory.named("", List.of("a"))).isEmpty();
    }
}
