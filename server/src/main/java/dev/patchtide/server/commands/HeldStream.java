package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.StreamedResponse;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A held poll ({@code "Stream": true}): one request that answers for its whole wait, each answer one line of JSON
 * (a {@code ReceiveCommandInvocationsResult} as the plain poll's) written and flushed as soon as the poll has it.
 * After a line the same request registers a fresh poll for the instance and goes on, so a command sent after the
 * first one reaches the agent without a new request (no renewed poll, no signature check, no connection taken from
 * the pool of the node). When the wait is over the last answer is the poll's empty one, and the body ends.
 *
 * <p>Each poll is the plain poll's own ({@link Poll}, {@link Deliverer}): the same first-look rule, the same
 * supersession by a newer poll or stream of the instance (which ends this one), the same at-most-once trade when the
 * client is gone before a line reaches it (marked delivered, not received, ended by the silent deadline).
 */
final class HeldStream implements StreamedResponse {
    static final String CONTENT_TYPE = "application/x-ndjson";
    /**
     * A stream's last poll is answered only after its first look, which a busy node may make late: the connection
     * stays open that much longer than the wait itself before Jetty may cut it as idle.
     */
    private static final Duration LOOK_LATE_AT_MOST = Duration.ofSeconds(60);

    private static final ObjectWriter LINES = ApiJson.mapper().writerFor(ReceiveCommandInvocationsResult.class);

    private final Deliverer deliverer;
    private final String instanceId;
    private final Duration wait;

    HeldStream(Deliverer deliverer, String instanceId, Duration wait) {
        this.deliverer = deliverer;
        this.instanceId = instanceId;
        this.wait = wait;
    }

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public Duration longest() {
        return wait.plus(LOOK_LATE_AT_MOST);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        long end = System.nanoTime() + wait.toNanos();
        boolean first = true;
        while (true) {
            Poll poll = deliverer.register(instanceId, Duration.ofNanos(Math.max(0, end - System.nanoTime())), !first);
            try {
                ReceiveCommandInvocationsResult answer = awaitAnswer(poll, first);
                out.write(line(answer));
                out.flush();
                first = false;
            } finally {
                // After the write: an answer counts as untaken (reports and looks wait for it) until it is on its way.
                deliverer.unregister(poll);
            }
            if (poll.superseded() || deliverer.closing() || System.nanoTime() - poll.deadlineNanos >= 0) {
                return;
            }
        }
    }

    private static ReceiveCommandInvocationsResult awaitAnswer(Poll poll, boolean first) throws IOException {
        try {
            return poll.awaitAnswer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (first) {
                throw AgentChannel.stopping();
            }
            throw new IOException("the server is stopping");
        }
    }

    /**
     * The answer as one line. A raw line break can only stand between JSON tokens (inside strings JSON escapes it),
     * so one in a stored text written as it is (a plan) is made a space: the same JSON, still one line.
     */
    static byte[] line(ReceiveCommandInvocationsResult answer) throws IOException {
        byte[] json = LINES.writeValueAsBytes(answer);
        byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
        for (int i = 0; i < json.length; i++) {
            if (line[i] == '\n' || line[i] == '\r') {
                line[i] = ' ';
            }
        }
        line[json.length] = '\n';
        return line;
    }
}
