package dev.patchtide.server.fleet;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.fleet.ActivationMessages.Empty;
import dev.patchtide.server.fleet.TagMessages.AddTagsToResourceRequest;
import dev.patchtide.server.fleet.TagMessages.ListTagsForResourceRequest;
import dev.patchtide.server.fleet.TagMessages.ListTagsForResourceResult;
import dev.patchtide.server.fleet.TagMessages.RemoveTagsFromResourceRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * AddTagsToResource, RemoveTagsFromResource and ListTagsForResource. Each taggable resource type plugs in
 * a lookup that locks the resource (so concurrent tag changes see a consistent count) and tells whether
 * it exists; features that add resource types (baselines, windows) register theirs here.
 */
public final class TagApi {
    /** SSM's ResourceTypeForTagging values. */
    private static final Set<String> TAGGABLE_TYPES = Set.of(
            "Document",
            "ManagedInstance",
            "MaintenanceWindow",
            "Parameter",
            "PatchBaseline",
            "OpsItem",
            "OpsMetadata",
            "Automation",
            "Association");

    static final int MAX_TAGS_PER_RESOURCE = 50;

    private final Jdbi jdbi;
    private final TagStore tags;
    private final FleetEventSink events;
    private final Map<String, BiFunction<Handle, String, Optional<String>>> lockers = new ConcurrentHashMap<>();
    private final List<ChangeListener> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told, inside the tagging transaction, which tag keys of a resource were added, overwritten or removed. */
    @FunctionalInterface
    public interface ChangeListener {
        void tagsChanged(Handle handle, String resourceType, String resourceId, Set<String> keys);
    }

    public TagApi(Jdbi jdbi, TagStore tags) {
        this(jdbi, tags, FleetEventSink.NONE);
    }

    TagApi(Jdbi jdbi, TagStore tags, FleetEventSink events) {
        this.jdbi = jdbi;
        this.tags = tags;
        this.events = events;
    }

    /** Makes a resource type taggable: {@code locker} locks the resource row and returns its id if it exists. */
    public void registerResourceType(String resourceType, BiFunction<Handle, String, Optional<String>> locker) {
        lockers.put(resourceType, locker);
    }

    /** Registers a listener for tag changes made through AddTagsToResource and RemoveTagsFromResource. */
    public void onChange(ChangeListener listener) {
        changeListeners.add(listener);
    }

    private void changed(Handle handle, String resourceType, String resourceId, Set<String> keys) {
        changeListeners.forEach(l -> l.tagsChanged(handle, resourceType, resourceId, keys));
    }

    /** Tags a resource created in the caller's transaction (CreatePatchBaseline's Tags, for example). */
    public void tagNewResource(Handle handle, String resourceType, String resourceId, List<Tag> newTags) {
        if (newTags != null && newTags.size() > MAX_TAGS_PER_RESOURCE) {
            throw new ApiException.Invalid(
                    "TooManyTagsError",
                    "A resource can have at most " + MAX_TAGS_PER_RESOURCE + " tags; " + newTags.size()
                            + " were given.");
        }
        tags.put(handle, resourceType, resourceId, newTags);
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.AddTagsToResource", AddTagsToResourceRequest.class, Access.adminOnly(), (q, who) -> {
                    add(q);
                    return new Empty();
                }));
        router.register(new Action<>(
                "AmazonSSM.RemoveTagsFromResource",
                RemoveTagsFromResourceRequest.class,
                Access.adminOnly(),
                (q, who) -> {
                    jdbi.useTransaction(handle -> {
                        lock(handle, q.resourceType(), q.resourceId());
                        Set<String> before = new HashSet<>();
                        tags.list(handle, q.resourceType(), q.resourceId()).forEach(t -> before.add(t.key()));
                        tags.remove(handle, q.resourceType(), q.resourceId(), q.tagKeys());
                        changed(handle, q.resourceType(), q.resourceId(), Set.copyOf(q.tagKeys()));
                        List<String> removed = q.tagKeys().stream()
                                .filter(before::contains)
                                .distinct()
                                .toList();
                        if (!removed.isEmpty()) {
                            events.tagsChanged(
                                    handle,
                                    q.resourceType(),
                                    q.resourceId(),
                                    removed,
                                    tags.list(handle, q.resourceType(), q.resourceId()));
                        }
                    });
                    return new Empty();
                }));
        router.register(new Action<>(
                "AmazonSSM.ListTagsForResource",
                ListTagsForResourceRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.inTransaction(handle -> {
                    lock(handle, q.resourceType(), q.resourceId());
                    return new ListTagsForResourceResult(tags.list(handle, q.resourceType(), q.resourceId()));
                })));
    }

    private void add(AddTagsToResourceRequest q) {
        jdbi.useTransaction(handle -> {
            lock(handle, q.resourceType(), q.resourceId());
            Set<String> keys = new HashSet<>();
            List<Tag> before = tags.list(handle, q.resourceType(), q.resourceId());
            before.forEach(t -> keys.add(t.key()));
            q.tags().forEach(t -> keys.add(t.key()));
            if (keys.size() > MAX_TAGS_PER_RESOURCE) {
                throw new ApiException.Invalid(
                        "TooManyTagsError",
                        "The Tags parameter would give " + q.resourceId() + " " + keys.size()
                                + " tags; a resource can have at most " + MAX_TAGS_PER_RESOURCE + ".");
            }
            tags.put(handle, q.resourceType(), q.resourceId(), List.copyOf(q.tags()));
            Set<String> changedKeys = new HashSet<>();
            q.tags().forEach(t -> changedKeys.add(t.key()));
            changed(handle, q.resourceType(), q.resourceId(), changedKeys);
            List<String> changed = q.tags().stream()
                    .filter(t -> !before.contains(t))
                    .map(Tag::key)
                    .distinct()
                    .toList();
            if (!changed.isEmpty()) {
                events.tagsChanged(
                        handle,
                        q.resourceType(),
                        q.resourceId(),
                        changed,
                        tags.list(handle, q.resourceType(), q.resourceId()));
            }
        });
    }

    private void lock(Handle handle, String resourceType, String resourceId) {
        if (!TAGGABLE_TYPES.contains(resourceType)) {
            throw new ApiException.Invalid(
                    "InvalidResourceType", "The resource type " + resourceType + " isn't valid.");
        }
        BiFunction<Handle, String, Optional<String>> locker = lockers.get(resourceType);
        if (locker == null || locker.apply(handle, resourceId).isEmpty()) {
            throw new ApiException.Invalid(
                    "InvalidResourceId",
                    "The resource ID " + resourceId + " isn't valid. Verify that it names an existing " + resourceType
                            + ".");
        }
    }
}
