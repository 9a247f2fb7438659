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
                instanceId,
                "DEBIAN",
                null,
                t,
                t,
                0,
                null,
                null,
                false,
                List.of(),
                List.of(),
                List.of(),
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void eachCallerGetsItsOwnAnswerAndAFailedBatchStoresNothingHalfway() throws Exception {
        try (Database database = Database.connect(TestDatabases.fresh())) {
            database.jdbi().useHandle(h -> h.execute("CREATE TABLE written (id text PRIMARY KEY)"));
            // Every report writes a row, then the bad one fails: its batch must roll back and be redone singly.
            // Every report writes a row, then the bad one fails: its batch must roll back and be redone singly.
            // A refused report (mi-refused) is answered on its own without failing its batch.
            ScanWriter.Work work = (h, reports) -> {
                List<ScanWriter.Answer> out = new ArrayList<>();
                for (PutPatchScanReportRequest q : reports) {
                    if (q.instanceId().equals("mi-refused")) {
                        out.add(new ScanWriter.Refused(new ApiException.Invalid("InventoryRequired", "send it")));
                        continue;
                    }
                    h.createUpdate("INSERT INTO written VALUES (:id)")
                            .bind("id", q.instanceId())
                            .execute();
                    if (q.instanceId().equals("mi-bad")) {
                        throw new ApiException.NotFound("InvalidInstanceId", "Instance Id mi-bad isn't valid.");
                    }
                    out.add(new ScanWriter.Stored(
                            new PutPatchScanReportResult(q.instanceId(), "pb", "COMPLIANT", 0, false, "")));
                }
                return out;
            };
            Map<String, Object> answers = new ConcurrentHashMap<>();
            try (ScanWriter writer = new ScanWriter(database.jdbi(), work, 2, 50)) {
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> callers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String id = i == 77 ? "mi-bad" : i == 78 ? "mi-refused" : "mi-" + i;
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
            assertThat(answers)
                    .hasSize(200)
                    .containsEntry("mi-bad", "InvalidInstanceId")
                    .containsEntry("mi-refused", "InventoryRequired");
            answers.forEach((id, answer) -> {
                if (!id.equals("mi-bad") && !id.equals("mi-refused")) {
                    assertThat(answer).isEqualTo(id);
                }
            });
            List<String> written = database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM written")
                    .mapTo(String.class)
                    .list());
            assertThat(written).hasSize(198).doesNotContain("mi-bad", "mi-refused");
        }
    }
}
