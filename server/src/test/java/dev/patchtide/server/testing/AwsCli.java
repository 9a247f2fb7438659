package dev.patchtide.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The AWS CLI as a process, pointed at a Patchtide server through a profile of its own (endpoint, region and
 * an access key in files of the test's folder), so nothing of the machine's own AWS settings takes part.
 */
public final class AwsCli {
    private final Path config;
    private final Path credentials;

    /** The CLI's answer: its exit code and both outputs. */
    public record Result(int exit, String out, String err) {
        public JsonNode json() throws IOException {
            return ApiJson.documents().readTree(out);
        }
    }

    public AwsCli(Path folder, URI endpoint, String accessKeyId, String secretAccessKey) throws IOException {
        this.config = folder.resolve("aws-config");
        this.credentials = folder.resolve("aws-credentials");
        Files.writeString(
                config,
                "[profile patchtide]\nregion = " + TestServer.REGION + "\nendpoint_url = " + endpoint
                        + "\ncli_follow_urlparam = false\n");
        Files.writeString(
                credentials,
                "[patchtide]\naws_access_key_id = " + accessKeyId + "\naws_secret_access_key = " + secretAccessKey
                        + "\n");
    }

    /** A profile for {@code server}'s endpoint and admin key, written in {@code folder}. */
    public static AwsCli against(Path folder, TestServer server) throws IOException {
        return new AwsCli(
                folder,
                server.endpoint(),
                server.adminKey().accessKeyId(),
                server.adminKey().secretAccessKey());
    }

    /** Whether the {@code aws} command is installed; tests that need it are skipped, saying so, when it is not. */
    public static boolean present() {
        return Installed.PRESENT;
    }

    /**
     * The command that starts the CLI: the real script behind a pyenv shim when there is one (the shim's bash and
     * {@code pyenv exec} cost 0.3–0.7 s per call, and the tests make dozens), else {@code aws} from the PATH.
     */
    public static String executable() {
        return Installed.EXECUTABLE;
    }

    /** Looked up once per JVM, on first use. */
    private static final class Installed {
        static final String EXECUTABLE = behindShim().orElse("aws");
        static final boolean PRESENT = answers(EXECUTABLE, "--version").isPresent();

        private static Optional<String> behindShim() {
            return answers("pyenv", "which", "aws")
                    .map(String::strip)
                    .filter(path -> !path.isEmpty() && Files.isExecutable(Path.of(path)));
        }

        /** The standard output of a command that ends well within 30 s, or empty. */
        private static Optional<String> answers(String... command) {
            try {
                Process p = new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Runs the CLI and requires success. */
    public Result ok(String... args) throws Exception {
        Result result = run(args);
        assertThat(result.exit())
                .as("aws %s: %s", String.join(" ", args), result.err())
                .isZero();
        return result;
    }

    /** Runs the CLI with JSON output, whatever the outcome. */
    public Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(executable()));
        command.addAll(List.of(args));
        command.addAll(List.of("--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        pb.environment().put("AWS_CONFIG_FILE", config.toString());
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        pb.environment().put("AWS_PROFILE", "patchtide");
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS))
                .as("aws %s finished", args[0])
                .isTrue();
        return new Result(p.exitValue(), stdout, new String(err.get(), StandardCharsets.UTF_8));
    }
}
