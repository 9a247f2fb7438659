package dev.patchtide.server.documents;

import dev.patchtide.server.documents.DocumentContent.Format;
import dev.patchtide.server.documents.DocumentStore.Header;
import dev.patchtide.server.documents.DocumentStore.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The documents every server has, owner Amazon, with AWS's names and parameters (names, types, defaults,
 * allowed values); their content is Patchtide's own and runs Patchtide's actions. Each is a resource file
 * {@code documents/<name>.json}, checked like any document when the server starts.
 */
final class BuiltInDocuments {
    static final List<String> NAMES = List.of(
            "AWS-RunShellScript",
            "AWS-RunPatchBaseline",
            "AWS-RunPatchBaselineWithHooks",
            Resolver.NOOP,
            // Patchtide's own, with AWS-UpdateSSMAgent's parameters (owner Amazon, as every built-in)
            "Patchtide-UpdateAgent");

    private BuiltInDocuments() {}

    static void install(Handle h, DocumentStore store) {
        for (String name : NAMES) {
            DocumentContent.Parsed content = DocumentContent.parse(read(name), Format.JSON);
            CommandDocument.read(content.tree());
            Header header = new Header(name, "Amazon", true, "Command", null, null, 1, 1, 2, Instant.EPOCH);
            Version version = new Version(
                    name,
                    1,
                    null,
                    content.text(),
                    Format.JSON,
                    DocumentContent.compact(content.tree()),
                    DocumentContent.sha256(content.text()),
                    Instant.EPOCH);
            store.putBuiltIn(h, header, version);
        }
    }

    private static String read(String name) {
        try (InputStream in = BuiltInDocuments.class.getResourceAsStream("/documents/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException(
                        "built-in document " + name + " is missing from the server's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
