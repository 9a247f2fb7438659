package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.testing.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ScanWriterTest {

    private static PutPatchScanReportRequest report(String instanceId) {
        Instant t = Instant.parse("2026-11-23T00:00:00Z");
        return new PutPatchScanReportRequest(
                instanceId, "DEBIAN", null, t, t, 0, null, null, false, List.of(), List.of(), List.of());
    }

    @Test
    void eachCallerGetsItsOwnAnswerAndAFailedBatchStoresNothingHalfway() throws Exception {
        try (Database database = Database.connect(TestDatabases.fresh())) {
            database.jdbi().useHandle(h -> h.execute("CREATE TABLE written (id text PRIMARY KEY)"));
            // Every report writes a row, then the bad one fails: its batch must roll back and be redone singly.
            ScanWriter.Work work = (h, q) -> {
                h.createUpdate("INSERT INTO written VALUES (:id)")
                        .bind("id", q.instanceId())
                        .execute();
                if (q.instanceId().equals("mi-bad")) {
                    throw new ApiException("InvalidInstanceId", "Instance Id mi-bad isn't valid.");
                }
                return new PutPatchScanReportResult(q.instanceId(), "pb", "COMPLIANT", 0, false);
            };
            Map<String, Object> answers = new ConcurrentHashMap<>();
            try (ScanWriter writer = new ScanWriter(database.jdbi(), work, 2, 50)) {
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> callers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String id = i == 77 ? "mi-bad" : "mi-" + i;
                    callers.add(Thread.ofVirtual().start(() -> {
                        try {
                            go.await();
                            answers.put(id, writer.submit(report(id)).snapshotId());
                        } catch (ApiException e) {
                            answers.put(id, e.code());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                go.countDown();
                for (Thread t : callers) {
                    t.join();
                }
            }
            assertThat(answers).hasSize(200).containsEntry("mi-bad", "InvalidInstanceId");
            answers.forEach((id, answer) -> {
                if (!id.equals("mi-bad")) {
                    assertThat(answer).isEqualTo(id);
                }
            });
            List<String> written = database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM written")
                    .mapTo(String.class)
                    .list());
            assertThat(written).hasSize(199).doesNotContain("mi-bad");
        }
    }
}
