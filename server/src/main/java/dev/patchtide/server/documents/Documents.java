package dev.patchtide.server.documents;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.documents.DocumentContent.Format;
import dev.patchtide.server.documents.DocumentMessages.CreateDocumentRequest;
import dev.patchtide.server.documents.DocumentMessages.DeleteDocumentRequest;
import dev.patchtide.server.documents.DocumentMessages.DescribeDocumentRequest;
import dev.patchtide.server.documents.DocumentMessages.DescribeDocumentResult;
import dev.patchtide.server.documents.DocumentMessages.DocumentDefaultVersionDescription;
import dev.patchtide.server.documents.DocumentMessages.DocumentDescriptionResult;
import dev.patchtide.server.documents.DocumentMessages.Empty;
import dev.patchtide.server.documents.DocumentMessages.GetDocumentRequest;
import dev.patchtide.server.documents.DocumentMessages.ListDocumentVersionsRequest;
import dev.patchtide.server.documents.DocumentMessages.ListDocumentsRequest;
import dev.patchtide.server.documents.DocumentMessages.UpdateDocumentDefaultVersionRequest;
import dev.patchtide.server.documents.DocumentMessages.UpdateDocumentDefaultVersionResult;
import dev.patchtide.server.documents.DocumentMessages.UpdateDocumentRequest;
import dev.patchtide.server.documents.DocumentStore.Header;
import dev.patchtide.server.documents.DocumentStore.Version;
import dev.patchtide.server.fleet.TagApi;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SSM Command documents: CreateDocument, GetDocument, DescribeDocument, ListDocuments, ListDocumentVersions,
 * UpdateDocument, UpdateDocumentDefaultVersion and DeleteDocument, the built-in documents (owner Amazon), and
 * the {@link DocumentResolver} commands use to turn a document and parameters into an agent's plan.
 */
public final class Documents {
    /** AWS's quotas: documents per account, versions per document. */
    static final int MAX_DOCUMENTS = 500;

    static final int MAX_VERSIONS = 1000;

    /** Name prefixes AWS keeps for its own documents, in any letter case. */
    private static final List<String> RESERVED_PREFIXES = List.of("aws", "amazon", "amzn");

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final String accountId;
    private final TagApi tags;
    private final DocumentStore store = new DocumentStore();
    private final DocumentLookup lookup;
    private final DocumentViews views;
    private final Resolver resolver;

    public Documents(Jdbi jdbi, InstantSource clock, String region, String accountId, TagApi tags) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.accountId = accountId;
        this.tags = tags;
        this.lookup = new DocumentLookup(store, region, accountId);
        this.views = new DocumentViews(store, lookup);
        this.resolver = new Resolver(lookup);
        tags.registerResourceType(
                DocumentStore.RESOURCE_TYPE,
                (h, name) -> store.find(h, name, true).filter(d -> !d.builtIn()).map(Header::name));
        jdbi.useTransaction(h -> BuiltInDocuments.install(h, store));
    }

    /** Resolves a document and a command's parameters into the plan an agent runs, inside the caller's handle. */
    public DocumentResolver resolver() {
        return resolver;
    }

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.CreateDocument", CreateDocumentRequest.class, Access.adminOnly(), (q, who) -> create(q)));
        router.register(new Action<>(
                "AmazonSSM.GetDocument",
                GetDocumentRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.inTransaction(h -> views.get(h, q))));
        router.register(new Action<>(
                "AmazonSSM.DescribeDocument",
                DescribeDocumentRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.inTransaction(h -> {
                    Header d = lookup.document(h, q.name(), false);
                    Version v = lookup.version(
                            h, d, Optional.ofNullable(q.documentVersion()), Optional.ofNullable(q.versionName()));
                    return new DescribeDocumentResult(views.description(h, d, v));
                })));
        router.register(new Action<>(
                "AmazonSSM.ListDocuments",
                ListDocumentsRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.inTransaction(h -> views.list(h, q))));
        router.register(new Action<>(
                "AmazonSSM.ListDocumentVersions",
                ListDocumentVersionsRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.inTransaction(h -> views.versions(h, q))));
        router.register(new Action<>(
                "AmazonSSM.UpdateDocument", UpdateDocumentRequest.class, Access.adminOnly(), (q, who) -> update(q)));
        router.register(new Action<>(
                "AmazonSSM.UpdateDocumentDefaultVersion",
                UpdateDocumentDefaultVersionRequest.class,
                Access.adminOnly(),
                (q, who) -> setDefault(q)));
        router.register(
                new Action<>("AmazonSSM.DeleteDocument", DeleteDocumentRequest.class, Access.adminOnly(), (q, who) -> {
                    delete(q);
                    return new Empty();
                }));
    }

    private DocumentDescriptionResult create(CreateDocumentRequest q) {
        String type = q.documentType() == null ? "Command" : q.documentType();
        if (!type.equals("Command")) {
            throw new ApiException.Invalid(
                    "InvalidDocumentType",
                    "DocumentType " + type + " is not supported here: Patchtide stores Command documents only.");
        }
        unsupported(q.requires(), "requires");
        unsupported(q.attachments(), "attachments");
        String lower = q.name().toLowerCase(Locale.ROOT);
        if (RESERVED_PREFIXES.stream().anyMatch(lower::startsWith)) {
            throw ApiException.validation("1 validation error detected: Value '" + q.name()
                    + "' at 'name' failed to satisfy constraint: document names may not begin with "
                    + String.join(", ", RESERVED_PREFIXES) + " (in any case): these prefixes are reserved for AWS");
        }
        DocumentContent.Parsed content = parse(q.content(), q.documentFormat());
        CommandDocument.read(content.tree());
        return jdbi.inTransaction(h -> {
            if (store.countOwn(h) >= MAX_DOCUMENTS) {
                throw new ApiException.LimitExceeded(
                        "DocumentLimitExceeded", "You can have at most " + MAX_DOCUMENTS + " documents.");
            }
            Instant now = now();
            Header d = new Header(q.name(), accountId, false, type, q.displayName(), q.targetType(), 1, 1, 2, now);
            if (!store.insert(h, d)) {
                throw new ApiException.Conflict("DocumentAlreadyExists", "Document " + q.name() + " already exists.");
            }
            Version v = version(q.name(), 1, q.versionName(), content, now);
            store.insert(h, v);
            tags.tagNewResource(h, DocumentStore.RESOURCE_TYPE, q.name(), q.tags());
            return new DocumentDescriptionResult(views.description(h, d, v));
        });
    }

    private DocumentDescriptionResult update(UpdateDocumentRequest q) {
        unsupported(q.attachments(), "attachments");
        DocumentContent.Parsed content = parse(q.content(), q.documentFormat());
        CommandDocument.read(content.tree());
        return jdbi.inTransaction(h -> {
            Header d = editable(h, q.name());
            if (q.documentVersion() != null
                    && !DocumentLookup.number(d, q.documentVersion()).equals(Optional.of(d.latestVersion()))) {
                throw new ApiException.Invalid(
                        "InvalidDocumentVersion",
                        "Only the latest version of " + d.name() + " (" + d.latestVersion()
                                + ", or $LATEST) can be updated; " + Validation.clip(q.documentVersion())
                                + " was given.");
            }
            Version v = version(d.name(), d.nextVersion(), q.versionName(), content, now());
            if (store.hasContent(h, d.name(), v.sha256())) {
                throw new ApiException.Conflict(
                        "DuplicateDocumentContent",
                        "The content is the same as a version of " + d.name() + " already has; change it first.");
            }
            if (q.versionName() != null
                    && store.versionNamed(h, d.name(), q.versionName()).isPresent()) {
                throw new ApiException.Conflict(
                        "DuplicateDocumentVersionName",
                        "A version of " + d.name() + " is already named " + q.versionName() + ".");
            }
            if (store.countVersions(h, d.name()) >= MAX_VERSIONS) {
                throw new ApiException.LimitExceeded(
                        "DocumentVersionLimitExceeded",
                        d.name() + " has " + MAX_VERSIONS + " versions, the most a document may have; delete some.");
            }
            Header updated = new Header(
                    d.name(),
                    d.owner(),
                    false,
                    d.documentType(),
                    q.displayName() == null ? d.displayName() : q.displayName(),
                    q.targetType() == null ? d.targetType() : q.targetType(),
                    d.defaultVersion(),
                    v.version(),
                    v.version() + 1,
                    d.created());
            store.insert(h, v);
            store.update(h, updated);
            return new DocumentDescriptionResult(views.description(h, updated, v));
        });
    }

    private UpdateDocumentDefaultVersionResult setDefault(UpdateDocumentDefaultVersionRequest q) {
        return jdbi.inTransaction(h -> {
            Header d = editable(h, q.name());
            Version v = lookup.version(h, d, Optional.of(q.documentVersion()), Optional.empty());
            store.update(h, withVersions(d, v.version(), d.latestVersion()));
            return new UpdateDocumentDefaultVersionResult(
                    new DocumentDefaultVersionDescription(d.name(), String.valueOf(v.version()), v.versionName()));
        });
    }

    private void delete(DeleteDocumentRequest q) {
        jdbi.useTransaction(h -> {
            Header d = editable(h, q.name());
            if (q.documentVersion() == null && q.versionName() == null) {
                store.delete(h, d.name());
                return;
            }
            Version v = lookup.version(
                    h, d, Optional.ofNullable(q.documentVersion()), Optional.ofNullable(q.versionName()));
            if (v.version() == d.defaultVersion()) {
                throw new ApiException.Invalid(
                        "InvalidDocumentOperation",
                        "Version " + v.version() + " is the default version of " + d.name()
                                + "; make another version the default first, or delete the whole document.");
            }
            store.deleteVersion(h, d.name(), v.version());
            store.update(h, withVersions(d, d.defaultVersion(), store.highestVersion(h, d.name())));
        });
    }

    private Header editable(Handle h, String name) {
        Header d = lookup.document(h, name, true);
        if (d.builtIn()) {
            throw new ApiException.Invalid(
                    "InvalidDocumentOperation",
                    "Document " + d.name() + " is owned by Amazon (built in): it cannot be changed or deleted.");
        }
        return d;
    }

    private static Header withVersions(Header d, int defaultVersion, int latestVersion) {
        return new Header(
                d.name(),
                d.owner(),
                d.builtIn(),
                d.documentType(),
                d.displayName(),
                d.targetType(),
                defaultVersion,
                latestVersion,
                d.nextVersion(),
                d.created());
    }

    private static Version version(
            String name, int number, String versionName, DocumentContent.Parsed content, Instant now) {
        return new Version(
                name,
                number,
                versionName,
                content.text(),
                content.format(),
                DocumentContent.compact(content.tree()),
                DocumentContent.sha256(content.text()),
                now);
    }

    /** Content in the format the request names (JSON when it names none); TEXT is for other document types. */
    static DocumentContent.Parsed parse(String content, String format) {
        return DocumentContent.parse(content, format(format));
    }

    static Format format(String format) {
        if ("TEXT".equals(format)) {
            throw ApiException.validation("1 validation error detected: Value 'TEXT' at 'documentFormat' failed to"
                    + " satisfy constraint: Command documents are written in JSON or YAML");
        }
        return format == null ? Format.JSON : Format.valueOf(format);
    }

    private static void unsupported(List<?> given, String member) {
        if (given != null) {
            throw ApiException.validation("1 validation error detected: Value at '" + member
                    + "' failed to satisfy constraint: Command documents here take no " + member);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
