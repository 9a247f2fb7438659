package dev.patchtide.bench.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskResponse;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * The crash test's own activity workers: they long-poll GetActivityTask and answer each task with SendTaskSuccess,
 * and count how often each execution's task reached them. While the server is down their calls fail and they try
 * again; a SendTaskSuccess whose answer was lost in the kill is answered TaskTimedOut after the restart (its token
 * was closed by the first), which counts as done.
 */
final class CrashActivityWorkers implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SfnClient sfn;
    private final String activityArn;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final AtomicInteger failedCalls = new AtomicInteger();
    private volatile boolean running = true;

    CrashActivityWorkers(SfnClient sfn, String activityArn) {
        this.sfn = sfn;
        this.activityArn = activityArn;
    }

    void start(int count) {
        for (int i = 0; i < count; i++) {
            String name = "crash-worker-" + i;
            Thread t = Thread.ofPlatform().daemon().name(name).start(() -> work(name));
            threads.add(t);
        }
    }

    /** Execution name → how many times its task was handed to a worker. */
    Map<String, AtomicInteger> received() {
        return received;
    }

    int failedCalls() {
        return failedCalls.get();
    }

    private void work(String name) {
        while (running) {
            GetActivityTaskResponse task;
            try {
                task = sfn.getActivityTask(b -> b.activityArn(activityArn).workerName(name));
            } catch (SdkClientException e) {
                pauseAfterFailure();
                continue;
            }
            if (task.taskToken() == null) {
                continue;
            }
            String execution;
            try {
                execution = JSON.readTree(task.input()).path("execution").asText();
            } catch (Exception e) {
                throw new IllegalStateException("unreadable activity input " + task.input(), e);
            }
            received.computeIfAbsent(execution, k -> new AtomicInteger()).incrementAndGet();
            answer(task.taskToken(), execution);
        }
    }

    private void answer(String token, String execution) {
        while (running) {
            try {
                sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"workedFor\":\"" + execution + "\"}"));
                return;
            } catch (TaskTimedOutException e) {
                return;
            } catch (SdkClientException e) {
                pauseAfterFailure();
            }
        }
    }

    /** The server is down (killed, not yet restarted): a short pause before the next try, not a busy loop. */
    private void pauseAfterFailure() {
        failedCalls.incrementAndGet();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
    }
}
