package dev.patchtide.server.fleet;

import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.GroupCommit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * An agent spends one registration of a hybrid activation and receives its managed-instance id and its own access
 * key. Registrations arriving together are written in groups ({@link GroupCommit}, {@link RegistrationWriter}): one
 * transaction and one commit for many, each caller answered only after its own registration committed. Within a
 * group the count, the instance, its tags, its event and its key appear together or not at all; a refused caller
 * gets today's error and leaves nothing written; a group whose transaction fails is written again one registration
 * at a time, so one failure fails alone.
 */
final class InstanceRegistration {
    static final int WRITERS = 2;
    static final int MAX_GROUP = 200;
    /** A registration waits this long for its group before its agent is told to retry. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final GroupCommit<RegistrationWriter.Attempt, RegistrationWriter.Registered> groups;

    InstanceRegistration(Jdbi jdbi, AccessKeyStore keys, TagStore tags, FleetEventSink events) {
        RegistrationWriter writer = new RegistrationWriter(keys, tags, events);
        // Every attempt is its own key (a fresh object): many registrations with one activation share a group, which
        // is the point; the writer counts them against the limit one by one.
        this.groups = new GroupCommit<>(
                jdbi,
                writer::write,
                attempt -> new Object(),
                new GroupCommit.Settings(
                        "registrations", WRITERS, MAX_GROUP, WAIT, "The server is stopping; register again."));
    }

    RegistrationWriter.Registered register(UUID activationId, String activationCode, Instant now) {
        return groups.commit(new RegistrationWriter.Attempt(activationId, activationCode, now));
    }

    /** As the database's {@code instance_patch_group}: the "Patch Group" tag, else "PatchGroup", else none. */
    static String patchGroup(List<Tag> tags) {
        String fallback = "";
        for (Tag tag : tags) {
            if (tag.key().equals("Patch Group")) {
                return tag.value();
            }
            if (tag.key().equals("PatchGroup")) {
                fallback = tag.value();
            }
        }
        return fallback;
    }
}
