package dev.patchtide.server.fleet;

import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.db.PgArrays;
import dev.patchtide.server.fleet.InstanceMessages.UpdateInstanceInformationRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Heartbeats that change nothing but the time, kept in memory and written together: a fleet of agents saying "I am
 * still here" every few minutes costs one multi-row UPDATE every {@link PingStatusPolicy#pingWriteInterval()}, not
 * a transaction each.
 *
 * <p>What stays exact:
 * <ul>
 *   <li>A heartbeat takes this path only when this node stored the same facts for the instance (a fingerprint of
 *       the request) and a ping recent enough that the pending one is written before detection could find the
 *       instance silent. Anything else (first report, changed facts, an instance back from silence, an operator's
 *       call) is written at once by {@link InstanceStore#recordReport}, which announces a recovery in its own
 *       transaction.
 *   <li>Pings are written with the newest winning ({@code last_ping_at} only moves forward), so several nodes may
 *       hold pings of one instance. Where the stored facts' fingerprint is not the one this node believed (another
 *       node stored other facts since), the pending heartbeat's facts are written in the same transaction.
 *   <li>The batch learns of ping-status transitions as a report would ({@link FleetEventSink#instancesReported}):
 *       instances first seen, or announced lost meanwhile (the write came late), are dealt with there.
 *   <li>A crash loses at most the pings of one interval; closing writes what is pending.
 * </ul>
 */
final class Heartbeats {
    /** Instances remembered at most; beyond, heartbeats are written at once, as before. */
    static final int MAX_KNOWN = 2_000_000;
    /** Instances written in one transaction at most, so row locks are held briefly. */
    static final int CHUNK = 5_000;

    /** What this node knows was stored for an instance: the fingerprint of its facts and its newest ping. */
    private record Known(long facts, Instant storedPing) {}

    /** A ping not yet written, with the heartbeat's facts (null for a command poll, which has none). */
    private record Beat(Instant at, UpdateInstanceInformationRequest facts, long fingerprint) {}

    private final Jdbi jdbi;
    private final PingStatusPolicy policy;
    private final FleetEventSink events;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Beat> pending = new ConcurrentHashMap<>();
    private final AtomicLong written = new AtomicLong();
    private final PollingLoop loop;
    private volatile Instant lastWriteClock;
    private volatile long lastWriteNanos = System.nanoTime();

    Heartbeats(Jdbi jdbi, PingStatusPolicy policy, FleetEventSink events, InstantSource clock) {
        this.jdbi = jdbi;
        this.policy = policy;
        this.events = events;
        this.clock = clock;
        this.lastWriteClock = clock.instant();
        this.loop = new PollingLoop("fleet-heartbeats", poll(policy.pingWriteInterval()), this::writeIfDue);
    }

    /**
     * Keeps the heartbeat in memory if only its time is new (see the class comment); false: the caller writes it at
     * once.
     */
    boolean offer(UpdateInstanceInformationRequest report, long fingerprint, Instant now) {
        Known k = known.get(report.instanceId());
        if (k == null
                || !loop.running() // not started (or stopping): nothing would write it
                || k.facts() != fingerprint
                || policy.pingWriteInterval().isZero()
                // the pending ping must reach the database before detection could judge the stored one too old
                || k.storedPing().isBefore(policy.onlineSince(now).plus(policy.pingWriteInterval()))) {
            return false;
        }
        pending.merge(report.instanceId(), new Beat(now, report, fingerprint), Heartbeats::newer);
        return true;
    }

    /** A sign of life without facts (the agent's command poll): a ping, written with the next batch. */
    void touch(String instanceId, Instant now) {
        pending.merge(instanceId, new Beat(now, null, 0), Heartbeats::newer);
    }

    /** The report was written at once (committed): its facts and ping are what is stored now. */
    void stored(String instanceId, long fingerprint, Instant ping) {
        if (known.size() >= MAX_KNOWN && !known.containsKey(instanceId)) {
            return;
        }
        known.merge(
                instanceId,
                new Known(fingerprint, ping),
                (old, now) -> new Known(now.facts(), later(old.storedPing(), now.storedPing())));
    }

    /** The instance is gone (deregistered here): nothing of it is kept or written. */
    void forget(String instanceId) {
        known.remove(instanceId);
        pending.remove(instanceId);
    }

    /** Pings written by batches so far (for tests and measurements). */
    long written() {
        return written.get();
    }

    /** Pings waiting to be written. */
    int pendingCount() {
        return pending.size();
    }

    PollingLoop loop() {
        return loop;
    }

    /** Starts writing every interval; closing the returned loop writes what is pending, then stops. */
    AutoCloseable start() {
        loop.start();
        return () -> {
            loop.close();
            writeAll();
        };
    }

    /**
     * Writes the pending pings once an interval has passed since the last write, by this node's clock or by wall
     * time (a test's clock that stands still must not hold them forever, and one moved by hand writes them at once).
     */
    private boolean writeIfDue() {
        Duration interval = policy.pingWriteInterval();
        boolean due = !clock.instant().isBefore(lastWriteClock.plus(interval))
                || System.nanoTime() - lastWriteNanos >= interval.toNanos();
        if (!due) {
            return false;
        }
        lastWriteClock = clock.instant();
        lastWriteNanos = System.nanoTime();
        writeAll();
        return false;
    }

    /** Writes every pending ping now; on failure they stay pending for the next try. */
    void writeAll() {
        if (pending.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(pending.keySet());
        ids.sort(null); // row locks in id order, as scan ingest and detection take them
        for (int from = 0; from < ids.size(); from += CHUNK) {
            Map<String, Beat> chunk = new LinkedHashMap<>();
            for (String id : ids.subList(from, Math.min(ids.size(), from + CHUNK))) {
                Beat beat = pending.remove(id);
                if (beat != null) {
                    chunk.put(id, beat);
                }
            }
            try {
                write(chunk);
            } catch (RuntimeException e) {
                chunk.forEach((id, beat) -> pending.merge(id, beat, Heartbeats::newer));
                throw e;
            }
        }
    }

    private void write(Map<String, Beat> chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        Map<String, Instant> pinged = jdbi.inTransaction(h -> {
            Map<String, Row> rows = lock(h, chunk.keySet());
            Map<String, Long> stored = new HashMap<>();
            rows.forEach((id, row) -> stored.put(id, row.facts()));
            Map<String, Long> rewritten = new HashMap<>();
            for (Map.Entry<String, Beat> e : chunk.entrySet()) {
                String id = e.getKey();
                Beat beat = e.getValue();
                Row row = rows.get(id);
                if (row == null) {
                    continue; // deregistered, or never registered
                }
                boolean otherFacts = row.facts() == null || row.facts() != beat.fingerprint();
                boolean newer = row.ping() == null || beat.at().isAfter(row.ping());
                if (beat.facts() != null && otherFacts && newer) {
                    // Another node stored other facts before this heartbeat arrived: the agent's latest facts win.
                    InstanceStore.writeReport(h, beat.facts(), beat.fingerprint(), beat.at());
                    rewritten.put(id, beat.fingerprint());
                }
            }
            Map<String, Instant> moved = updatePings(h, chunk, stored);
            events.instancesReported(h, moved);
            h.afterCommit(() -> remember(chunk, stored, rewritten));
            return moved;
        });
        written.addAndGet(pinged.size());
    }

    /** A registered instance's stored facts fingerprint and ping (either may be null). */
    private record Row(Long facts, Instant ping) {}

    /** Locks the chunk's registered instances in id order; answers what they store. */
    private static Map<String, Row> lock(Handle h, java.util.Set<String> ids) {
        Map<String, Row> stored = new HashMap<>();
        h.createQuery("SELECT instance_id, facts_hash, last_ping_at FROM managed_instances"
                        + " WHERE instance_id = ANY(:ids::text[]) AND deregistered_at IS NULL"
                        + " ORDER BY instance_id FOR NO KEY UPDATE")
                .bind("ids", PgArrays.texts(ids.toArray(String[]::new)))
                .map((rs, ctx) -> {
                    long hash = rs.getLong(2);
                    Long facts = rs.wasNull() ? null : hash;
                    java.sql.Timestamp ping = rs.getTimestamp(3);
                    stored.put(rs.getString(1), new Row(facts, ping == null ? null : ping.toInstant()));
                    return null;
                })
                .forEach(ignored -> {});
        return stored;
    }

    /** One UPDATE for the chunk; a ping older than the stored one (another node's newer) changes nothing. */
    private static Map<String, Instant> updatePings(Handle h, Map<String, Beat> chunk, Map<String, Long> stored) {
        List<String> ids = new ArrayList<>();
        List<String> ats = new ArrayList<>();
        chunk.forEach((id, beat) -> {
            if (stored.containsKey(id)) {
                ids.add(id);
                ats.add(beat.at().toString());
            }
        });
        Map<String, Instant> moved = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return moved;
        }
        h.createQuery("UPDATE managed_instances i SET last_ping_at = u.at"
                        + " FROM unnest(:ids::text[], :ats::timestamptz[]) AS u(id, at)"
                        + " WHERE i.instance_id = u.id AND i.deregistered_at IS NULL"
                        + " AND (i.last_ping_at IS NULL OR i.last_ping_at < u.at)"
                        + " RETURNING i.instance_id, i.last_ping_at")
                .bind("ids", PgArrays.texts(ids.toArray(String[]::new)))
                .bind("ats", PgArrays.texts(ats.toArray(String[]::new)))
                .map((rs, ctx) -> {
                    moved.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                    return null;
                })
                .forEach(ignored -> {});
        return moved;
    }

    /** After the commit: what this node now knows was stored. */
    private void remember(Map<String, Beat> chunk, Map<String, Long> stored, Map<String, Long> rewritten) {
        chunk.forEach((id, beat) -> {
            if (!stored.containsKey(id)) {
                known.remove(id);
                return;
            }
            Long facts = rewritten.containsKey(id) ? rewritten.get(id) : stored.get(id);
            Known k = known.get(id);
            if (k != null && facts != null && k.facts() == facts) {
                known.computeIfPresent(id, (key, old) -> new Known(old.facts(), later(old.storedPing(), beat.at())));
            } else if (k != null) {
                // This node believed other facts than those stored: the next heartbeat is written at once.
                known.remove(id, k);
            }
        });
    }

    /**
     * The facts a heartbeat reports, as 64 bits of a SHA-256 over its members (an absent member differs from every
     * value): equal fingerprints mean writing the heartbeat again would store the same facts.
     */
    static long fingerprint(UpdateInstanceInformationRequest r) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        StringBuilder text = new StringBuilder(256);
        for (String member : new String[] {
            r.instanceId(),
            r.agentName(),
            r.agentVersion(),
            r.agentStatus(),
            r.platformName(),
            r.platformType(),
            r.platformVersion(),
            r.computerName(),
            r.ipAddress()
        }) {
            appendMember(text, member);
        }
        if (r.ipAddresses() == null) {
            text.append('\u0001');
        } else {
            text.append(r.ipAddresses().size()).append(':');
            r.ipAddresses().forEach(ip -> appendMember(text, ip));
        }
        byte[] digest = sha.digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.nio.ByteBuffer.wrap(digest).getLong();
    }

    /** Length-prefixed, so no two lists of members read the same. */
    private static void appendMember(StringBuilder text, String member) {
        if (member == null) {
            text.append('\u0001');
        } else {
            text.append(member.length()).append(':').append(member);
        }
    }

    private static Beat newer(Beat old, Beat now) {
        Instant at = later(old.at(), now.at());
        Beat withFacts = now.facts() != null ? now : old;
        return new Beat(at, withFacts.facts(), withFacts.fingerprint());
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration poll(Duration interval) {
        Duration fifth = interval.dividedBy(5);
        if (fifth.compareTo(Duration.ofMillis(10)) < 0) {
            return Duration.ofMillis(10);
        }
        return fifth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : fifth;
    }
}
