package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskFailureRequest;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskSuccessRequest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Approvals asked by {@code arn:aws:states:::patchtide:approval.waitForTaskToken}: the stored request, the messages
 * it sends (the first one, a reminder to the same topic, an escalation with fresh links to a second topic) and the
 * one decision a link takes, which completes the task token. Reminders and escalations are stored instants a loop
 * fires by the injected clock, so they survive restarts; once the token is closed (answered, or the state timed
 * out) nothing more is sent and the links say the approval has ended.
 */
final class Approvals {
    /** How long links stay valid when the approval has no DeadlineSeconds. */
    static final Duration DEFAULT_LINK_LIFETIME = Duration.ofDays(7);

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final LocalCalls calls;
    private final TaskTokens tokens;
    private final ApprovalLinks links;
    private final PollingLoop loop;

    Approvals(Jdbi jdbi, InstantSource clock, LocalCalls calls, TaskTokens tokens, ApprovalLinks links) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.calls = calls;
        this.tokens = tokens;
        this.links = links;
        this.loop = new PollingLoop("workflow-approvals", Duration.ofSeconds(1), this::round);
    }

    PollingLoop loop() {
        return loop;
    }

    ApprovalLinks links() {
        return links;
    }

    record Request(
            String taskToken,
            String executionArn,
            String topicArn,
            String subject,
            String message,
            Optional<String> approvers,
            Optional<Long> reminderAfterSeconds,
            Optional<Long> deadlineSeconds,
            Optional<String> escalationTopicArn) {}

    /** Stores the approval and publishes its first message, in the caller's transaction; answers the approval id. */
    String ask(Request r) {
        String id = UUID.randomUUID().toString();
        // PostgreSQL keeps microseconds and rounds: a due time rounded up would not be due at its very instant.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Duration lifetime = r.deadlineSeconds().map(Duration::ofSeconds).orElse(DEFAULT_LINK_LIFETIME);
        Instant expires = now.plus(lifetime);
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO sfn_approvals (approval_id, task_token, execution_arn,"
                        + " topic_arn, subject, message, approvers, escalation_topic, link_lifetime_s, created_at,"
                        + " links_expire_at, remind_at, escalate_at) VALUES (:id::uuid, :token, :execution, :topic,"
                        + " :subject, :message, :approvers, :escalation, :lifetime, :now, :expires, :remind,"
                        + " :escalate)")
                .bind("id", id)
                .bind("token", r.taskToken())
                .bind("execution", r.executionArn())
                .bind("topic", r.topicArn())
                .bind("subject", r.subject())
                .bind("message", r.message())
                .bind("approvers", r.approvers().orElse(null))
                .bind("escalation", r.escalationTopicArn().orElse(null))
                .bind("lifetime", lifetime.toSeconds())
                .bind("now", Timestamp.from(now))
                .bind("expires", Timestamp.from(expires))
                .bind(
                        "remind",
                        r.reminderAfterSeconds()
                                .map(s -> Timestamp.from(now.plusSeconds(s)))
                                .orElse(null))
                .bind(
                        "escalate",
                        r.deadlineSeconds()
                                .map(s -> Timestamp.from(now.plusSeconds(s)))
                                .orElse(null))
                .execute());
        publish(r.topicArn(), r.subject(), body(id, r.message(), r.approvers(), expires, ""));
        loop.wake();
        return id;
    }

    private void publish(String topicArn, String subject, String message) {
        ObjectNode request =
                ApiJson.documents().createObjectNode().put("TopicArn", topicArn).put("Message", message);
        if (subject != null) {
            request.put("Subject", subject.length() > 100 ? subject.substring(0, 100) : subject);
        }
        calls.call("Patchtide.Publish", request, "SNS");
    }

    private String body(String id, String message, Optional<String> approvers, Instant expires, String preface) {
        StringBuilder b = new StringBuilder(preface).append(message).append("\n\n");
        approvers.ifPresent(a -> b.append("Approvers: ").append(a).append("\n\n"));
        b.append("Approve: ").append(links.url(id, "approve", expires)).append('\n');
        b.append("Reject:  ").append(links.url(id, "reject", expires)).append("\n\n");
        b.append("Each link asks you to confirm, works once, and expires at ")
                .append(expires)
                .append('.');
        return b.toString();
    }

    private record Stored(
            String id,
            String taskToken,
            String topicArn,
            String subject,
            String message,
            String approvers,
            String escalationTopic,
            long lifetimeSeconds,
            Instant linksExpireAt,
            Instant remindAt,
            Instant escalateAt,
            Instant decidedAt,
            String decision) {}

    private static Optional<Stored> find(Handle h, String sql, Object value) {
        return h.createQuery("SELECT approval_id::text, task_token, topic_arn, subject, message, approvers,"
                        + " escalation_topic, link_lifetime_s, links_expire_at, remind_at, escalate_at, decided_at,"
                        + " decision FROM sfn_approvals WHERE " + sql)
                .bind("v", value)
                .map((rs, ctx) -> new Stored(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getLong(8),
                        rs.getTimestamp(9).toInstant(),
                        instant(rs.getTimestamp(10)),
                        instant(rs.getTimestamp(11)),
                        instant(rs.getTimestamp(12)),
                        rs.getString(13)))
                .findOne();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static boolean tokenOpen(Handle h, String token) {
        return h.createQuery("SELECT closed_at IS NULL FROM sfn_task_tokens WHERE token = :t")
                .bind("t", token)
                .mapTo(Boolean.class)
                .findOne()
                .orElse(false);
    }

    /** One due reminder or escalation; true when there was one. */
    private boolean round() {
        return jdbi.inTransaction(h -> {
            Timestamp now = Timestamp.from(clock.instant());
            Optional<Stored> due = find(
                    h,
                    "decided_at IS NULL AND (remind_at <= :v OR escalate_at <= :v) ORDER BY created_at LIMIT 1"
                            + " FOR UPDATE SKIP LOCKED",
                    now);
            if (due.isEmpty()) {
                return false;
            }
            Stored s = due.get();
            boolean open = tokenOpen(h, s.taskToken());
            if (open && s.remindAt() != null && !s.remindAt().isAfter(now.toInstant())) {
                publish(
                        s.topicArn(),
                        "Reminder: " + (s.subject() == null ? "approval needed" : s.subject()),
                        body(
                                s.id(),
                                s.message(),
                                Optional.ofNullable(s.approvers()),
                                s.linksExpireAt(),
                                "Reminder: this approval is still waiting for an answer.\n\n"));
                h.createUpdate("UPDATE sfn_approvals SET remind_at = NULL WHERE approval_id = :id::uuid")
                        .bind("id", s.id())
                        .execute();
            }
            if (open && s.escalateAt() != null && !s.escalateAt().isAfter(now.toInstant())) {
                Instant expires = now.toInstant().plusSeconds(s.lifetimeSeconds());
                if (s.escalationTopic() != null) {
                    publish(
                            s.escalationTopic(),
                            "Escalated: " + (s.subject() == null ? "approval needed" : s.subject()),
                            body(
                                    s.id(),
                                    s.message(),
                                    Optional.ofNullable(s.approvers()),
                                    expires,
                                    "Nobody answered this approval by its deadline; it is escalated to you.\n\n"));
                }
                h.createUpdate("UPDATE sfn_approvals SET escalate_at = NULL, remind_at = NULL,"
                                + " links_expire_at = :expires WHERE approval_id = :id::uuid")
                        .bind("expires", Timestamp.from(expires))
                        .bind("id", s.id())
                        .execute();
            }
            if (!open) {
                // The task ended (answered through the API, or timed out): nothing more to send.
                h.createUpdate("UPDATE sfn_approvals SET remind_at = NULL, escalate_at = NULL"
                                + " WHERE approval_id = :id::uuid")
                        .bind("id", s.id())
                        .execute();
            }
            return true;
        });
    }

    /** What a link says before it acts (GET) or after (POST). */
    sealed interface Answer {
        record Ready(String decision, String subject, String message) implements Answer {}

        record Done(String decision) implements Answer {}

        record Refused(int status, String text) implements Answer {}
    }

    /**
     * Checks a link and, when {@code act}, takes its decision: the approval row is locked, so of two clicks racing
     * one decides and the other reads "already answered".
     */
    Answer follow(String approvalId, String decision, String expires, String signature, boolean act, String by) {
        long e;
        try {
            e = Long.parseLong(expires);
            UUID.fromString(approvalId);
        } catch (IllegalArgumentException bad) {
            return new Answer.Refused(403, "This link is not valid.");
        }
        if (!(decision.equals("approve") || decision.equals("reject"))
                || !links.valid(approvalId, decision, e, signature)) {
            return new Answer.Refused(403, "This link is not valid.");
        }
        return jdbi.inTransaction(h -> {
            Optional<Stored> found = find(h, "approval_id = :v::uuid" + (act ? " FOR UPDATE" : ""), approvalId);
            if (found.isEmpty()) {
                return new Answer.Refused(404, "This approval does not exist.");
            }
            Stored s = found.get();
            if (s.decidedAt() != null) {
                return new Answer.Refused(
                        409, "This approval was already answered (" + s.decision() + "); links work once.");
            }
            if (!tokenOpen(h, s.taskToken())) {
                return new Answer.Refused(410, "This approval has ended: the workflow no longer waits for it.");
            }
            Instant now = clock.instant();
            if (now.getEpochSecond() > e) {
                return new Answer.Refused(410, "This link has expired.");
            }
            if (!act) {
                return new Answer.Ready(decision, s.subject(), s.message());
            }
            String who = by == null || by.isBlank() ? null : by.strip();
            if (who != null && who.length() > 256) {
                who = who.substring(0, 256);
            }
            h.createUpdate("UPDATE sfn_approvals SET decided_at = :now, decision = :d, decided_by = :by,"
                            + " remind_at = NULL, escalate_at = NULL WHERE approval_id = :id::uuid")
                    .bind("now", Timestamp.from(now))
                    .bind("d", decision)
                    .bind("by", who)
                    .bind("id", approvalId)
                    .execute();
            ObjectNode answer = ApiJson.documents().createObjectNode().put("Decision", decision);
            if (who != null) {
                answer.put("By", who);
            }
            answer.put("At", now.toString());
            try {
                if (decision.equals("approve")) {
                    tokens.success(new SendTaskSuccessRequest(s.taskToken(), answer.toString()));
                } else {
                    tokens.failure(new SendTaskFailureRequest(s.taskToken(), "Approval.Rejected", answer.toString()));
                }
            } catch (ApiException ended) {
                h.rollback();
                return new Answer.Refused(410, "This approval has ended: the workflow no longer waits for it.");
            }
            return new Answer.Done(decision);
        });
    }

    static Optional<Long> seconds(JsonNode parameters, String name) {
        JsonNode v = parameters.get(name);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asLong());
    }
}
