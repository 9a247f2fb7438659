package dev.patchtide.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.server.db.DatabaseSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent (its scan of a Debian file tree, its client, its state file) against a real in-process
 * server: it sends its patch list once, then the server's PatchesHash while the list is unchanged, and the
 * list again when the server asks for it.
 */
class RealAgentPatchListTest {
    private static final String ZEROS = "0".repeat(64);

    @Test
    void theAgentNamesAnUnchangedListByTheServersHash(@TempDir Path root, @TempDir Path state) throws Exception {
        debianHost(root, "3.0.15-1~deb12u1");
        FleetOptions options = FleetOptions.parse(
                new String[] {"--hosts", "1", "--concurrency", "1", "--rounds", "1", "--query-samples", "1"});
        try (ServerTarget target = ServerTarget.inProcess(options.dataDir(), options.region(), 2, false)) {
            Fleet.Agent instance = FleetSimulator.run(
                            options, target, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .scans()
                    .agent(0);
            Registration registration = new Registration(
                    target.endpoint().toString(),
                    options.region(),
                    instance.instanceId(),
                    instance.key().accessKeyId(),
                    instance.key().secretAccessKey(),
                    300,
                    Instant.now());
            Supplier<Agent> start = () -> new Agent(
                    registration,
                    state,
                    Duration.ofMinutes(5),
                    Duration.ZERO,
                    root,
                    () -> HostFacts.collect(root),
                    InstantSource.system());
            DatabaseSettings db = target.database().orElseThrow();

            JsonNode first = start.get().scanAndReport();
            String hash = first.path("PatchesHash").asText();
            assertThat(hash).matches("[0-9a-f]{64}");
            assertThat(first.path("MissingCount").asInt())
                    .as("openssl's security update")
                    .isEqualTo(1);
            assertThat(storedPatchesHash(db, instance.instanceId())).isEqualTo(hash);
            Path file = state.resolve("accepted-inventory.json");
            assertThat(FleetSimulator.mapper()
                            .readTree(file.toFile())
                            .path("PatchesHash")
                            .asText())
                    .isEqualTo(hash);

            // Restarted, same updates: the same answer, from the hash the agent kept on disk.
            assertThat(start.get().scanAndReport().path("PatchesHash").asText()).isEqualTo(hash);

            // A new candidate version: the list is sent, judged, and has a new hash.
            debianHost(root, "3.0.16-1~deb12u1");
            Agent agent = start.get();
            String changed = agent.scanAndReport().path("PatchesHash").asText();
            assertThat(changed).isNotEqualTo(hash).matches("[0-9a-f]{64}");
            assertThat(storedPatchesHash(db, instance.instanceId())).isEqualTo(changed);

            // The server knows the list as ZEROS and so does the agent's file: the agent sends that hash alone
            // (had it sent its list, the answer would name the list's real hash).
            execute(db, "UPDATE instance_patch_states SET patches_hash = '" + ZEROS + "'");
            ObjectNode kept = (ObjectNode) FleetSimulator.mapper().readTree(file.toFile());
            kept.put("PatchesHash", ZEROS);
            Files.write(file, FleetSimulator.mapper().writeValueAsBytes(kept));
            assertThat(start.get().scanAndReport().path("PatchesHash").asText()).isEqualTo(ZEROS);

            // The server lost it: PatchesRequired, and the agent resends its list at once.
            execute(db, "UPDATE instance_patch_states SET patches_hash = NULL");
            JsonNode resent = start.get().scanAndReport();
            assertThat(resent.path("PatchesHash").asText()).isEqualTo(changed);
            assertThat(resent.path("MissingCount").asInt())
                    .isEqualTo(first.path("MissingCount").asInt());
        } finally {
            options.deleteTemporaryDataDir();
        }
    }

    private static String storedPatchesHash(DatabaseSettings db, String instanceId) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT patches_hash FROM instance_patch_states WHERE instance_id = '" + instanceId + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static void execute(DatabaseSettings db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement()) {
            assertThat(st.executeUpdate(sql)).isEqualTo(1);
        }
    }

    /** A Debian 12 host with openssl installed and a security candidate {@code candidate} for it. */
    private static void debianHost(Path root, String candidate) throws Exception {
        write(root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        write(root, "var/lib/dpkg/arch-native", "amd64\n");
        write(
                root,
                "var/lib/dpkg/status",
                """
                Package: openssl
                Status: install ok installed
                Architecture: amd64
                Version: 3.0.11-1~deb12u2

                Package: tzdata
                Status: install ok installed
                Architecture: all
                Version: 2024a-0+deb12u1
                """);
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        String prefix = "deb.debian.org_debian-security_dists_bookworm-security";
        write(
                root,
                "var/lib/apt/lists/" + prefix + "_InRelease",
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: Debian\nLabel: Debian-Security\n"
                        + "Suite: stable-security\nCodename: bookworm-security\nComponents: main\n"
                        + "-----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n");
        write(
                root,
                "var/lib/apt/lists/" + prefix + "_main_binary-amd64_Packages",
                String.join(
                        "\n",
                        List.of(
                                "Package: openssl",
                                "Version: " + candidate,
                                "Architecture: amd64",
                                "Priority: optional",
                                "Section: utils",
                                "")));
    }

    private static void write(Path root, String relative, String content) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
