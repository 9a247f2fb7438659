package dev.patchtide.server.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.CommandMessages.Target;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** One stored command, as read (the columns of {@code commands}). */
record CommandRow(
        UUID commandId,
        String documentName,
        String documentVersion,
        Map<String, List<String>> parameters,
        String plan,
        List<String> instanceIds,
        List<Target> targets,
        String comment,
        Instant requestedAt,
        Instant deliveryDeadline,
        Instant expiresAfter,
        int timeoutSeconds,
        int executionTimeoutSeconds,
        String maxConcurrency,
        String maxErrors,
        int concurrencyLimit,
        int errorLimit,
        CommandState state,
        boolean cancelRequested,
        int targetCount,
        int completedCount,
        int errorCount,
        int deliveryTimedOutCount,
        Optional<CommandMessages.NotificationConfig> notificationConfig,
        String serviceRoleArn,
        String outputS3Region,
        String outputS3BucketName,
        String outputS3KeyPrefix) {

    private static final ObjectMapper JSON = ApiJson.documents();

    /** Reads the command and locks it: every change of a command's invocations holds this lock first. */
    static Optional<CommandRow> lock(Handle handle, UUID commandId) {
        return handle.createQuery("SELECT * FROM commands WHERE command_id = :id FOR UPDATE")
                .bind("id", commandId)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    /** As {@link #lock}, but answers empty at once when another transaction holds the command. */
    static Optional<CommandRow> tryLock(Handle handle, UUID commandId) {
        return handle.createQuery("SELECT * FROM commands WHERE command_id = :id FOR UPDATE SKIP LOCKED")
                .bind("id", commandId)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    static Optional<CommandRow> find(Handle handle, UUID commandId) {
        return handle.createQuery("SELECT * FROM commands WHERE command_id = :id")
                .bind("id", commandId)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    static CommandRow read(ResultSet rs) throws SQLException {
        String notification = rs.getString("notification_config");
        return new CommandRow(
                rs.getObject("command_id", UUID.class),
                rs.getString("document_name"),
                rs.getString("document_version"),
                fromJson(rs.getString("parameters"), new TypeReference<Map<String, List<String>>>() {}),
                rs.getString("plan"),
                Arrays.asList((String[]) rs.getArray("instance_ids").getArray()),
                fromJson(rs.getString("targets"), new TypeReference<List<Target>>() {}),
                rs.getString("comment"),
                rs.getTimestamp("requested_at").toInstant(),
                rs.getTimestamp("delivery_deadline").toInstant(),
                rs.getTimestamp("expires_after").toInstant(),
                rs.getInt("timeout_seconds"),
                rs.getInt("execution_timeout_s"),
                rs.getString("max_concurrency"),
                rs.getString("max_errors"),
                rs.getInt("concurrency_limit"),
                rs.getInt("error_limit"),
                CommandState.valueOf(rs.getString("state")),
                rs.getBoolean("cancel_requested"),
                rs.getInt("target_count"),
                rs.getInt("completed_count"),
                rs.getInt("error_count"),
                rs.getInt("delivery_timed_out_count"),
                notification == null
                        ? Optional.empty()
                        : Optional.of(
                                fromJson(notification, new TypeReference<CommandMessages.NotificationConfig>() {})),
                rs.getString("service_role_arn"),
                rs.getString("output_s3_region"),
                rs.getString("output_s3_bucket_name"),
                rs.getString("output_s3_key_prefix"));
    }

    /** The contract's shape of the notification settings, for listeners. */
    Optional<dev.patchtide.server.commands.CommandSpec.NotificationConfig> contractNotification() {
        return notificationConfig.map(n -> new CommandSpec.NotificationConfig(
                n.notificationArn(),
                n.notificationEvents() == null ? List.of() : n.notificationEvents(),
                n.notificationType()));
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write stored JSON", e);
        }
    }

    static <T> T fromJson(String text, TypeReference<T> type) {
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
