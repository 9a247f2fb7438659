package dev.patchtide.agent.install;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * AWS-RunPatchBaseline's InstallOverrideList: a YAML file at an https URL, {@code patches:} a list of entries
 * with an {@code id} (a package name or {@code name.arch}, globs allowed) and for Linux an optional
 * {@code title}, the version; other members are ignored as AWS ignores them. Fetched with a bound on its size
 * and parsed with plain data types only. Each entry becomes one patch id for the server's install plan:
 * {@code id}, or {@code id:title} when a title is given (the form of the KB ids the server shows).
 */
final class OverrideList {
    /** An override list is a few hundred entries at most; anything this large is not one. */
    static final int MAX_BYTES = 1 << 20;

    private final Supplier<HttpClient> http;

    OverrideList(HttpClient http) {
        this.http = () -> http;
    }

    private OverrideList(Supplier<HttpClient> http) {
        this.http = http;
    }

    /**
     * Its HTTP client is made on the first fetch, not with the agent: a client with the default TLS context
     * reads the runtime's whole CA store (about 150 certificates) and starts a selector thread, memory an
     * idle agent would hold for a list that most patch operations never name.
     */
    static OverrideList standard() {
        return new OverrideList(new Supplier<HttpClient>() {
            private HttpClient client;

            @Override
            public synchronized HttpClient get() {
                if (client == null) {
                    client = HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(10))
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .build();
                }
                return client;
            }
        });
    }

    List<String> fetch(URI url) throws IOException, InterruptedException, PatchBaselineInputs.Invalid {
        HttpResponse<InputStream> response = http.get()
                .send(
                        HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_BYTES + 1);
        }
        if (response.statusCode() != 200) {
            throw new PatchBaselineInputs.Invalid(
                    "InstallOverrideList: " + url + " answered HTTP " + response.statusCode());
        }
        if (body.length > MAX_BYTES) {
            throw new PatchBaselineInputs.Invalid(
                    "InstallOverrideList: " + url + " is larger than " + MAX_BYTES + " bytes");
        }
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    static List<String> parse(String yaml) throws PatchBaselineInputs.Invalid {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(MAX_BYTES);
        options.setNestingDepthLimit(20);
        Object document;
        try {
            document = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (YAMLException e) {
            String problem = e.getMessage() == null
                    ? "unreadable"
                    : e.getMessage().lines().findFirst().orElse("");
            throw new PatchBaselineInputs.Invalid("InstallOverrideList: not YAML (" + problem + ")");
        }
        if (!(document instanceof Map<?, ?> top) || !(top.get("patches") instanceof List<?> patches)) {
            throw new PatchBaselineInputs.Invalid("InstallOverrideList: must hold a 'patches' list");
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < patches.size(); i++) {
            if (!(patches.get(i) instanceof Map<?, ?> entry)
                    || entry.get("id") == null
                    || String.valueOf(entry.get("id")).isBlank()) {
                throw new PatchBaselineInputs.Invalid("InstallOverrideList: patches entry " + (i + 1) + " has no id");
            }
            String id = String.valueOf(entry.get("id")).strip();
            Object title = entry.get("title");
            boolean versioned = title != null && !String.valueOf(title).isBlank() && !id.contains(":");
            ids.add(versioned ? id + ":" + String.valueOf(title).strip() : id);
        }
        return List.copyOf(ids);
    }
}
