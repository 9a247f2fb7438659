package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Registered fleet agents that follow commands as the real agent does: each long-polls {@code
 * Patchtide.ReceiveCommandInvocations} on a virtual thread of its own and renews its poll as soon as an answer
 * arrives; every invocation "runs" on a thread of its own for the time its {@link Script} says, then reports
 * Success or Failed from there (no InProgress report: the hand-out is InProgress), resending a report
 * until the server takes it (a server killed and restarted gets it again, as the agent's journal resends).
 * Records every invocation each agent received (to prove none arrives twice) and, per command, how many run
 * at once across the fleet.
 */
final class CommandAgents implements AutoCloseable {
    static final String RECEIVE = "Patchtide.ReceiveCommandInvocations";
    static final String UPDATE = "Patchtide.UpdateCommandInvocation";
    private static final long RETRY_MILLIS = 200;
    /** The real agent pauses after an answer with nothing new that came back sooner than this. */
    private static final long QUICK_NANOS = 500_000_000L;

    /** What one invocation does on one host. */
    record Run(Duration time, boolean fails) {}

    /** Decides each invocation's run from its command id and host index. */
    interface Script extends BiFunction<String, Integer, Run> {
        /** Runs of {@code time}; a {@code failShare} of the hosts (chosen per command by hash) fail. */
        static Script of(Duration time, double failShare) {
            return (commandId, host) ->
                    new Run(time, Math.floorMod((commandId + "/" + host).hashCode(), 10_000) < failShare * 10_000);
        }
    }

    /** One invocation as an agent got it: which host, which command, when (System.nanoTime). */
    record Receipt(int host, String commandId, long receivedNanos) {}

    /** Per command: running now, the most ever running at once, finished, and the reports the server took. */
    static final class CommandTally {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        int finished() {
            return succeeded.get() + failed.get();
        }
    }

    private final FleetClient client;
    private final Fleet fleet;
    private final int waitSeconds;
    private final boolean stream;
    /**
     * Whether agents hold a stream ({@code "Stream": true}) rather than renew a poll per answer, unless told: as the
     * real agent, yes (system property {@code patchtide.bench.stream=false} for plain polls, e.g. in a test run).
     */
    static final boolean STREAM_DEFAULT = Boolean.parseBoolean(System.getProperty("patchtide.bench.stream", "true"));

    private volatile Script script = Script.of(Duration.ZERO, 0);
    private volatile boolean stopped;
    private final List<Thread> threads = new ArrayList<>();
    private final Queue<Receipt> receipts = new ConcurrentLinkedQueue<>();
    private final Map<String, CommandTally> tallies = new ConcurrentHashMap<>();
    private final AtomicInteger polling = new AtomicInteger();
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** Why calls were sent again: "poll"/"report", then the exception's class or HTTP status, and how often. */
    private final Map<String, AtomicLong> retryCauses = new ConcurrentHashMap<>();

    private final Queue<String> oddities = new ConcurrentLinkedQueue<>();

    CommandAgents(FleetClient client, Fleet fleet, int waitSeconds) {
        this(client, fleet, waitSeconds, STREAM_DEFAULT);
    }

    CommandAgents(FleetClient client, Fleet fleet, int waitSeconds, boolean stream) {
        this.client = client;
        this.fleet = fleet;
        this.waitSeconds = waitSeconds;
        this.stream = stream;
    }

    /** Starts every registered host's poll loop. */
    void start(int hosts) {
        for (int h = 0; h < hosts; h++) {
            int host = h;
            threads.add(Thread.ofVirtual().name("agent-" + h).start(() -> follow(host)));
        }
    }

    /** What invocations received from now on do. */
    void script(Script s) {
        this.script = s;
    }

    private void follow(int host) {
        Fleet.Agent agent = fleet.agent(host);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("InstanceId", agent.instanceId());
        request.put("WaitTimeSeconds", waitSeconds);
        if (stream) {
            request.put("Stream", true);
        }
        byte[] poll = json(request);
        boolean first = true;
        while (!stopping()) {
            long began = System.nanoTime();
            boolean[] news = {false};
            try {
                if (first) {
                    polling.incrementAndGet();
                    first = false;
                }
                polls.incrementAndGet();
                if (stream) {
                    // Each line as it arrives: received when its last byte arrived, before it is parsed.
                    client.streamSigned(
                            RECEIVE, poll, agent.key(), (answer, at) -> news[0] |= received(host, agent, answer, at));
                } else {
                    FleetClient.Answer got = client.callSignedTimed(RECEIVE, poll, agent.key());
                    // Received when the answer's last byte arrived, not after parsing it: on two cores shared with
                    // the server, the parse of one answer waits behind many others, and that wait is the harness's.
                    news[0] = received(host, agent, got.body(), got.receivedNanos());
                }
            } catch (IOException | ApiCallException e) {
                // Server away (killed, restarting) or busy: poll again shortly, as the agent does.
                if (e instanceof ApiCallException a && a.httpStatus() < 500) {
                    oddities.add("host " + host + " poll refused: " + a.getMessage());
                }
                retried("poll", e);
                pause(RETRY_MILLIS);
                continue;
            }
            // As the real agent: an answer (or a stream) that brought nothing new and came back within 0.5 s is not
            // spun on.
            if (!news[0] && System.nanoTime() - began < QUICK_NANOS) {
                pause(QUICK_NANOS / 1_000_000);
            }
        }
    }

    private boolean stopping() {
        return stopped;
    }

    /**
     * One answer: its invocations recorded as received at {@code at}, each run on a thread of its own whose result
     * is sent from there (as the real agent's CommandRunner), while the poll or stream goes on at once.
     */
    private boolean received(int host, Fleet.Agent agent, JsonNode answer, long at) {
        boolean news = false;
        for (JsonNode inv : answer.path("Invocations")) {
            receipts.add(new Receipt(host, inv.path("CommandId").asText(), at));
            news = true;
        }
        for (JsonNode inv : answer.path("Invocations")) {
            String commandId = inv.path("CommandId").asText();
            Thread.ofVirtual().name("agent-" + host + "-run").start(() -> run(host, agent, commandId));
        }
        return news;
    }

    private void run(int host, Fleet.Agent agent, String commandId) {
        CommandTally tally = tally(commandId);
        tally.received.incrementAndGet();
        Run run = script.apply(commandId, host);
        // No InProgress report, as the real agent sends none: the server marked it InProgress at hand-out.
        Instant start = Instant.now();
        int now = tally.running.incrementAndGet();
        tally.peak.accumulateAndGet(now, Math::max);
        pause(run.time().toMillis());
        // No longer running before the server hears of it: the count here never exceeds the server's.
        tally.running.decrementAndGet();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("Status", run.fails() ? "Failed" : "Success");
        result.put("ResponseCode", run.fails() ? 1 : 0);
        result.put("ExecutionStartDateTime", start);
        result.put("ExecutionEndDateTime", Instant.now());
        result.put("StandardOutputContent", "simulated run on host " + host + "\n");
        if (report(host, agent, commandId, result)) {
            (run.fails() ? tally.failed : tally.succeeded).incrementAndGet();
        }
    }

    /** Sends one report until the server answers it; false if it refused it. */
    private boolean report(int host, Fleet.Agent agent, String commandId, Map<String, Object> members) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("CommandId", commandId);
        body.put("InstanceId", agent.instanceId());
        body.putAll(members);
        byte[] bytes = json(body);
        while (!stopped) {
            try {
                // Not over a connection of this thread's own: the thread ends with this report (WireClient.POOLED).
                client.callSignedFromShortThread(UPDATE, bytes, agent.key());
                return true;
            } catch (IOException e) {
                retried("report", e);
                pause(RETRY_MILLIS);
            } catch (ApiCallException e) {
                if (e.httpStatus() >= 500) {
                    retried("report", e);
                    pause(RETRY_MILLIS);
                    continue;
                }
                oddities.add("host " + host + " " + members.get("Status") + " of " + commandId + " refused: "
                        + e.getMessage());
                return false;
            }
        }
        return false;
    }

    CommandTally tally(String commandId) {
        return tallies.computeIfAbsent(commandId, id -> new CommandTally());
    }

    /** Every invocation received so far, in no particular order. */
    List<Receipt> receipts() {
        return List.copyOf(receipts);
    }

    /** Receipts of the same command by the same host beyond the first: must stay empty. */
    List<Receipt> duplicates() {
        Map<String, Receipt> seen = new ConcurrentHashMap<>();
        List<Receipt> twice = new ArrayList<>();
        for (Receipt r : receipts) {
            if (seen.putIfAbsent(r.host() + "/" + r.commandId(), r) != null) {
                twice.add(r);
            }
        }
        return twice;
    }

    /** Hosts that have sent their first poll. */
    int polling() {
        return polling.get();
    }

    long polls() {
        return polls.get();
    }

    /** Calls sent again after the server was away or busy. */
    long retries() {
        return retries.get();
    }

    private void retried(String call, Exception e) {
        retries.incrementAndGet();
        String cause = e instanceof ApiCallException a
                ? "HTTP " + a.httpStatus() + " " + a.getMessage()
                : e.getClass().getSimpleName() + " " + e.getMessage();
        String key = call + ": " + (cause.length() > 80 ? cause.substring(0, 80) : cause);
        retryCauses.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    /** Calls sent again, by call and cause (for the bench's report). */
    Map<String, Long> retryCauses() {
        Map<String, Long> causes = new java.util.TreeMap<>();
        retryCauses.forEach((k, v) -> causes.put(k, v.get()));
        return causes;
    }

    /** Answers an agent did not expect (a refused poll or report): should stay empty. */
    List<String> oddities() {
        return List.copyOf(oddities);
    }

    private byte[] json(Object body) {
        try {
            return client.json().writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
