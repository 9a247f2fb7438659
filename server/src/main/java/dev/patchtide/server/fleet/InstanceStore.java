package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.fleet.InstanceMessages.InstanceInformation;
import dev.patchtide.server.fleet.InstanceMessages.UpdateInstanceInformationRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Managed instances: their facts, last report, and deregistration. */
final class InstanceStore {
    static final String RESOURCE_TYPE = "ManagedInstance";

    private final Jdbi jdbi;
    private final AccessKeyStore keys;
    private final PingStatusPolicy pingPolicy;
    private final List<DeregistrationListener> deregistrationListeners = new CopyOnWriteArrayList<>();
    private final FleetEventSink events;
    private final AgentVersions versions;

    InstanceStore(
            Jdbi jdbi,
            AccessKeyStore keys,
            PingStatusPolicy pingPolicy,
            FleetEventSink events,
            AgentVersions versions) {
        this.events = events;
        this.versions = versions;
        this.jdbi = jdbi;
        this.keys = keys;
        this.pingPolicy = pingPolicy;
    }

    /** One page of registered instances ordered by id, after {@code afterId}, matching the filters. */
    List<InstanceInformation> list(InstanceFilterSql filters, String afterId, int limit, Instant now) {
        String sql = "SELECT i.*, " + PingStatusPolicy.STATUS_SQL + " AS ping_status"
                + " FROM managed_instances i WHERE i.deregistered_at IS NULL AND i.instance_id > :after"
                + filters.where() + " ORDER BY i.instance_id LIMIT :limit";
        return jdbi.withHandle(handle -> {
            Query query = handle.createQuery(sql)
                    .bind("after", afterId)
                    .bind("limit", limit)
                    .bind("onlineSince", pingPolicy.onlineSince(now));
            filters.bind((name, values) -> query.bindArray(name, String.class, values));
            return query.map((rs, ctx) -> toInformation(rs)).list();
        });
    }

    /** Stores a report (the heartbeat) and tells the sink in the same transaction, the instance's row locked. */
    void recordReport(UpdateInstanceInformationRequest report, Instant now) {
        jdbi.useTransaction(handle -> {
            Optional<Instant> stored = handle.createQuery("UPDATE managed_instances SET"
                            + " agent_name = coalesce(:agentName, agent_name),"
                            + " agent_version = coalesce(:agentVersion, agent_version),"
                            + " agent_status = coalesce(:agentStatus, agent_status),"
                            + " platform_name = coalesce(:platformName, platform_name),"
                            + " platform_type = coalesce(:platformType, platform_type),"
                            + " platform_version = coalesce(:platformVersion, platform_version),"
                            + " computer_name = coalesce(:computerName, computer_name),"
                            + " ip_address = coalesce(:ipAddress, ip_address),"
                            + " ip_addresses = CASE WHEN :ipsReported THEN :ipList ELSE ip_addresses END,"
                            + " last_ping_at = :now"
                            + " WHERE instance_id = :instanceId AND deregistered_at IS NULL RETURNING last_ping_at")
                    .bind("instanceId", report.instanceId())
                    .bind("agentName", report.agentName())
                    .bind("agentVersion", report.agentVersion())
                    .bind("agentStatus", report.agentStatus())
                    .bind("platformName", report.platformName())
                    .bind("platformType", report.platformType())
                    .bind("platformVersion", report.platformVersion())
                    .bind("computerName", report.computerName())
                    .bind("ipAddress", report.ipAddress())
                    .bind("ipsReported", report.ipAddresses() != null)
                    .bindArray("ipList", String.class, report.ipAddresses() == null ? List.of() : report.ipAddresses())
                    .bind("now", now)
                    .map((rs, ctx) -> rs.getTimestamp("last_ping_at").toInstant())
                    .findOne();
            if (stored.isEmpty()) {
                throw invalidInstance(report.instanceId());
            }
            // The stored value (microseconds), so events show what DescribeInstanceInformation shows.
            events.instanceReported(handle, report.instanceId(), stored.get());
        });
    }

    /** Marks the instance deregistered and revokes its key, so its agent can no longer act. */
    void deregister(String instanceId, Instant now) {
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("UPDATE managed_instances SET deregistered_at = :now"
                            + " WHERE instance_id = :id AND deregistered_at IS NULL")
                    .bind("id", instanceId)
                    .bind("now", now)
                    .execute();
            if (updated == 0) {
                throw invalidInstance(instanceId);
            }
            keys.revokeInstanceKeys(handle, instanceId, now);
            deregistrationListeners.forEach(listener -> listener.deregistered(handle, instanceId));
            events.instanceDeregistered(handle, instanceId);
        });
    }

    void onDeregister(DeregistrationListener listener) {
        deregistrationListeners.add(listener);
    }

    /** The agent version a registered instance last reported (empty: none yet, or no such instance). */
    Optional<String> agentVersion(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT agent_version FROM managed_instances"
                        + " WHERE instance_id = :id AND deregistered_at IS NULL AND agent_version IS NOT NULL")
                .bind("id", instanceId)
                .mapTo(String.class)
                .findOne());
    }

    /** The versions agents are compared with, for views other than DescribeInstanceInformation. */
    AgentVersions versions() {
        return versions;
    }

    /** Locks a registered instance's row for the rest of the transaction; empty if there is none. */
    static Optional<String> lockRegistered(Handle handle, String instanceId) {
        return handle.createQuery("SELECT instance_id FROM managed_instances WHERE instance_id = :id"
                        + " AND deregistered_at IS NULL FOR UPDATE")
                .bind("id", instanceId)
                .mapTo(String.class)
                .findOne();
    }

    static ApiException invalidInstance(String instanceId) {
        return new ApiException.NotFound("InvalidInstanceId", "Instance Id " + instanceId + " isn't valid.");
    }

    private InstanceInformation toInformation(ResultSet rs) throws SQLException {
        return new InstanceInformation(
                rs.getString("instance_id"),
                rs.getString("ping_status"),
                instant(rs.getTimestamp("last_ping_at")),
                rs.getString("agent_version"),
                versions.isLatest(rs.getString("agent_version")),
                rs.getString("platform_type"),
                rs.getString("platform_name"),
                rs.getString("platform_version"),
                rs.getString("activation_id"),
                rs.getString("iam_role"),
                instant(rs.getTimestamp("registration_date")),
                RESOURCE_TYPE,
                rs.getString("name"),
                rs.getString("ip_address"),
                rs.getString("computer_name"),
                rs.getString("instance_id"),
                "AWS::SSM::ManagedInstance");
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
