package dev.patchtide.server.documents;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.documents.DocumentStore.Header;
import dev.patchtide.server.documents.DocumentStore.Version;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Finds a document by name (or by its ARN on this server) and one of its versions by number,
 * {@code $DEFAULT}, {@code $LATEST} or version name, with AWS's errors when there is none.
 */
final class DocumentLookup {
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,8}");

    private final DocumentStore store;
    private final String arnPrefix;

    DocumentLookup(DocumentStore store, String region, String accountId) {
        this.store = store;
        this.arnPrefix = "arn:aws:ssm:" + region + ":" + accountId + ":document/";
    }

    /** The name inside an ARN of this server's documents, else the name as given. */
    String name(String nameOrArn) {
        return nameOrArn.startsWith(arnPrefix) ? nameOrArn.substring(arnPrefix.length()) : nameOrArn;
    }

    Header document(Handle h, String nameOrArn, boolean lock) {
        String name = name(nameOrArn);
        return store.find(h, name, lock)
                .orElseThrow(() -> new ApiException.NotFound(
                        "InvalidDocument", "Document " + Validation.clip(name) + " does not exist."));
    }

    /**
     * The version {@code version} ($DEFAULT, $LATEST or a number; empty for the default) and, when given,
     * {@code versionName} select; both must agree.
     */
    Version version(Handle h, Header d, Optional<String> version, Optional<String> versionName) {
        Optional<Version> found;
        if (version.isPresent()) {
            found = number(d, version.get()).flatMap(n -> store.version(h, d.name(), n));
            if (found.isPresent()
                    && versionName.isPresent()
                    && !versionName.get().equals(found.get().versionName())) {
                found = Optional.empty();
            }
        } else if (versionName.isPresent()) {
            found = store.versionNamed(h, d.name(), versionName.get());
        } else {
            found = store.version(h, d.name(), d.defaultVersion());
        }
        return found.orElseThrow(() -> new ApiException.NotFound(
                "InvalidDocumentVersion",
                "Document " + d.name() + " has no version "
                        + Validation.clip(version.orElse(""))
                        + versionName.map(n -> " named " + Validation.clip(n)).orElse("")
                        + "."));
    }

    /** The number a version reference stands for, if it is well formed. */
    static Optional<Integer> number(Header d, String version) {
        return switch (version) {
            case "$DEFAULT" -> Optional.of(d.defaultVersion());
            case "$LATEST" -> Optional.of(d.latestVersion());
            default -> NUMBER.matcher(version).matches() ? Optional.of(Integer.parseInt(version)) : Optional.empty();
        };
    }
}
