package dev.patchtide.server.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.AgentMessages.PluginResult;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsRequest;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The agent's side: a long poll that hands each released invocation out at most once (marked delivered in the
 * transaction that claims it for the poll, see {@link Claims}), and the agent's reports of progress and result.
 */
final class AgentChannel {
    static final int DEFAULT_WAIT_SECONDS = 20;
    /**
     * A report waits at most this long for the hand-out under way (deliveries first, see {@link Deliverer}): its
     * round's end, as a rule. It was 2 s, shorter than a round of 10,000 polls on two cores (3-4 s quiet), so the
     * results of the first agents served were stored (a transaction each group, in the server and PostgreSQL, on the
     * same cores) while the last polls still waited for their answers. Well under an agent's 60-s read timeout.
     */
    static final Duration REPORTS_DEFERRED_AT_MOST = Duration.ofSeconds(10);

    private final Reports reports;
    private final Deliverer deliverer;
    private final Settler settler;

    AgentChannel(Jdbi jdbi, Progress progress, Deliverer deliverer, Settler settler) {
        this.reports = new Reports(jdbi, progress);
        this.deliverer = deliverer;
        this.settler = settler;
    }

    /**
     * A long poll: registered with the node's {@link Deliverer}, which looks for its work together with the other
     * polls that arrived meanwhile and hands out what it claims; empty when the wait ends.
     */
    ReceiveCommandInvocationsResult receive(ReceiveCommandInvocationsRequest q) {
        Poll poll = deliverer.register(q.instanceId(), wait(q));
        try {
            return poll.awaitAnswer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopping();
        } finally {
            deliverer.unregister(poll);
        }
    }

    /**
     * A held poll: the request stays open for the whole wait and answers each hand-out as a line of it (see {@link
     * HeldStream}), written once the router hands the stream its body.
     */
    HeldStream stream(ReceiveCommandInvocationsRequest q) {
        return new HeldStream(deliverer, q.instanceId(), wait(q));
    }

    private static Duration wait(ReceiveCommandInvocationsRequest q) {
        return Duration.ofSeconds(Objects.requireNonNullElse(q.waitTimeSeconds(), DEFAULT_WAIT_SECONDS));
    }

    /** A poll's answer while the node stops: retryable, the agent polls again (elsewhere, or once it is back). */
    static ApiException stopping() {
        return new ApiException.Transient("ServiceUnavailable", "The server is stopping; poll again.");
    }

    /**
     * Stores the agent's report, grouped with others arriving meanwhile (see {@link Reports}), holding only the
     * invocations' rows, never the command's: the many reports of one command do not queue on it. The command is
     * settled afterwards (see {@link Settler}).
     */
    void update(UpdateCommandInvocationRequest q) {
        UUID commandId = Launcher.parseId(q.commandId());
        try {
            deliverer.awaitHandedOut(REPORTS_DEFERRED_AT_MOST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", "The server is stopping; report again.");
        }
        Reports.Stored stored = reports.store(q, commandId, false);
        if (stored == Reports.Stored.COMMAND_PENDING) {
            // The hand-out's own settle (which starts the command) comes first: listeners hear of the command's
            // start before any of its results.
            settler.settle(commandId);
            stored = reports.store(q, commandId, true);
        }
        if (stored == Reports.Stored.CHANGED) {
            settler.settle(commandId);
        }
    }

    /** Plugin results are stored in the API's own dialect (its member names and timestamps). */
    static String pluginsJson(List<PluginResult> plugins) {
        try {
            return ApiJson.mapper().writeValueAsString(plugins);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<PluginResult> plugins(String json) {
        try {
            return ApiJson.mapper().readValue(json, new TypeReference<List<PluginResult>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored plugin results are unreadable", e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return ApiJson.documents().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
