package dev.patchtide.server.documents;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.documents.DocumentContent.Format;
import dev.patchtide.server.documents.DocumentMessages.DocumentDescription;
import dev.patchtide.server.documents.DocumentMessages.DocumentFilter;
import dev.patchtide.server.documents.DocumentMessages.DocumentIdentifier;
import dev.patchtide.server.documents.DocumentMessages.DocumentKeyValuesFilter;
import dev.patchtide.server.documents.DocumentMessages.DocumentParameter;
import dev.patchtide.server.documents.DocumentMessages.DocumentVersionInfo;
import dev.patchtide.server.documents.DocumentMessages.GetDocumentRequest;
import dev.patchtide.server.documents.DocumentMessages.GetDocumentResult;
import dev.patchtide.server.documents.DocumentMessages.ListDocumentVersionsRequest;
import dev.patchtide.server.documents.DocumentMessages.ListDocumentVersionsResult;
import dev.patchtide.server.documents.DocumentMessages.ListDocumentsRequest;
import dev.patchtide.server.documents.DocumentMessages.ListDocumentsResult;
import dev.patchtide.server.documents.DocumentStore.Header;
import dev.patchtide.server.documents.DocumentStore.Version;
import dev.patchtide.server.fleet.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** What the read actions show: GetDocument, DescribeDocument, ListDocuments and ListDocumentVersions. */
final class DocumentViews {
    /** Every agent runs Linux: the only platform any document here runs on. */
    static final List<String> PLATFORMS = List.of("Linux");

    private static final String STATUS = "Active";

    private final DocumentStore store;
    private final DocumentLookup lookup;

    DocumentViews(DocumentStore store, DocumentLookup lookup) {
        this.store = store;
        this.lookup = lookup;
    }

    GetDocumentResult get(Handle h, GetDocumentRequest q) {
        Header d = lookup.document(h, q.name(), false);
        Version v =
                lookup.version(h, d, Optional.ofNullable(q.documentVersion()), Optional.ofNullable(q.versionName()));
        Format wanted = q.documentFormat() == null ? v.format() : Documents.format(q.documentFormat());
        DocumentContent.Parsed content =
                new DocumentContent.Parsed(v.content(), v.format(), DocumentContent.stored(v.body()));
        return new GetDocumentResult(
                d.name(),
                v.created(),
                d.displayName(),
                v.versionName(),
                String.valueOf(v.version()),
                STATUS,
                DocumentContent.render(content, wanted),
                d.documentType(),
                wanted.name());
    }

    DocumentDescription description(Handle h, Header d, Version v) {
        CommandDocument doc = CommandDocument.read(DocumentContent.stored(v.body()));
        List<DocumentParameter> parameters = doc.parameters().values().stream()
                .map(p -> new DocumentParameter(
                        p.name(),
                        p.type().name(),
                        p.description(),
                        p.defaultText().orElse(null)))
                .toList();
        return new DocumentDescription(
                v.sha256(),
                "Sha256",
                d.name(),
                d.displayName(),
                v.versionName(),
                d.owner(),
                v.created(),
                STATUS,
                String.valueOf(v.version()),
                doc.description(),
                parameters,
                PLATFORMS,
                d.documentType(),
                CommandDocument.SCHEMA_VERSION,
                String.valueOf(d.latestVersion()),
                String.valueOf(d.defaultVersion()),
                v.format().name(),
                d.targetType(),
                store.tags(h, List.of(d.name())).getOrDefault(d.name(), List.of()));
    }

    ListDocumentsResult list(Handle h, ListDocumentsRequest q) {
        Optional<DocumentStore.Filter> filter = filter(q);
        if (filter.isEmpty()) {
            return new ListDocumentsResult(List.of(), null);
        }
        int size = Objects.requireNonNullElse(q.maxResults(), 50);
        String after = PageToken.decode("documents", q.nextToken()).orElse("");
        List<Map.Entry<Header, Version>> page = store.list(h, filter.get(), after, size + 1);
        List<Map.Entry<Header, Version>> shown = page.subList(0, Math.min(size, page.size()));
        Map<String, List<Tag>> tags =
                store.tags(h, shown.stream().map(e -> e.getKey().name()).toList());
        List<DocumentIdentifier> identifiers = shown.stream()
                .map(e -> {
                    Header d = e.getKey();
                    Version v = e.getValue();
                    return new DocumentIdentifier(
                            d.name(),
                            d.created(),
                            d.displayName(),
                            d.owner(),
                            v.versionName(),
                            PLATFORMS,
                            String.valueOf(v.version()),
                            d.documentType(),
                            CommandDocument.SCHEMA_VERSION,
                            v.format().name(),
                            d.targetType(),
                            tags.getOrDefault(d.name(), List.of()));
                })
                .toList();
        String next = page.size() > size
                ? PageToken.encode("documents", shown.getLast().getKey().name())
                : null;
        return new ListDocumentsResult(identifiers, next);
    }

    ListDocumentVersionsResult versions(Handle h, ListDocumentVersionsRequest q) {
        Header d = lookup.document(h, q.name(), false);
        int size = Objects.requireNonNullElse(q.maxResults(), 50);
        int after = afterVersion(
                PageToken.decode("document-versions/" + d.name(), q.nextToken()).orElse("0"));
        List<Version> page = store.versions(h, d.name(), after, size + 1);
        List<DocumentVersionInfo> infos = page.stream()
                .limit(size)
                .map(v -> new DocumentVersionInfo(
                        d.name(),
                        d.displayName(),
                        String.valueOf(v.version()),
                        v.versionName(),
                        v.created(),
                        v.version() == d.defaultVersion(),
                        v.format().name(),
                        STATUS))
                .toList();
        String next = page.size() > size
                ? PageToken.encode(
                        "document-versions/" + d.name(),
                        String.valueOf(page.get(size - 1).version()))
                : null;
        return new ListDocumentVersionsResult(infos, next);
    }

    /**
     * ListDocuments' filters (the older DocumentFilterList and Filters, all of which must match) for the
     * store; empty when they can match nothing here (another platform, a shared owner).
     */
    private static Optional<DocumentStore.Filter> filter(ListDocumentsRequest q) {
        List<DocumentKeyValuesFilter> all = new ArrayList<>();
        for (DocumentFilter f : Objects.requireNonNullElse(q.documentFilterList(), List.<DocumentFilter>of())) {
            all.add(new DocumentKeyValuesFilter(f.key(), List.of(f.value())));
        }
        all.addAll(Objects.requireNonNullElse(q.filters(), List.of()));
        String owner = null;
        List<String> prefixes = new ArrayList<>();
        List<String> types = new ArrayList<>();
        Map<String, List<String>> tags = new LinkedHashMap<>();
        boolean matchesNothing = false;
        for (DocumentKeyValuesFilter f : all) {
            String key = Objects.requireNonNullElse(f.key(), "");
            List<String> values = Objects.requireNonNullElse(f.values(), List.of());
            if (key.startsWith("tag:") && key.length() > 4) {
                tags.put(key.substring(4), values);
                continue;
            }
            if (values.isEmpty()) {
                throw new ApiException.Invalid(
                        "InvalidFilterValue", "The filter " + Validation.clip(key) + " needs at least one value.");
            }
            switch (key) {
                case "Owner" -> {
                    if (values.size() != 1) {
                        throw new ApiException.Invalid("InvalidFilterValue", "Only one Owner can be given.");
                    }
                    switch (values.getFirst()) {
                        case "Self", "Private" -> owner = "Self";
                        case "Amazon" -> owner = "Amazon";
                        case "All" -> owner = null;
                        case "Public", "ThirdParty" -> matchesNothing = true;
                        default ->
                            throw new ApiException.Invalid(
                                    "InvalidFilterValue",
                                    "Owner " + Validation.clip(values.getFirst())
                                            + " is not one of Self, Amazon, All, Private, Public, ThirdParty.");
                    }
                }
                case "Name" -> prefixes.addAll(values);
                case "DocumentType" -> types.addAll(values);
                case "PlatformTypes" -> matchesNothing |= !values.contains("Linux");
                default ->
                    throw new ApiException.Invalid(
                            "InvalidFilterKey",
                            "The filter key " + Validation.clip(key)
                                    + " is not supported: use Owner, Name, DocumentType, PlatformTypes or tag:<key>.");
            }
        }
        return matchesNothing ? Optional.empty() : Optional.of(new DocumentStore.Filter(owner, prefixes, types, tags));
    }

    private static int afterVersion(String key) {
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException forged) {
            throw new ApiException.Invalid("InvalidNextToken", "The specified token isn't valid.");
        }
    }
}
