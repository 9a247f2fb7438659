package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
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

    /** A Work that answers every report and records each batch's ids; a batch holding "mi-hold" waits for release. */
    private static final class RecordingWork implements ScanWriter.Work {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public List<ScanWriter.Answer> store(Handle h, List<PutPatchScanReportRequest> reports) {
            List<String> ids =
                    reports.stream().map(PutPatchScanReportRequest::instanceId).toList();
            if (ids.contains("mi-hold")) {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            batches.add(ids);
            return reports.stream()
                    .<ScanWriter.Answer>map(q -> new ScanWriter.Stored(
                            new PutPatchScanReportResult(q.instanceId(), "pb", "COMPLIANT", 0, false, "")))
                    .toList();
        }
    }

    private static CompletableFuture<String> submitAsync(ScanWriter writer, String id) {
        return CompletableFuture.supplyAsync(() -> writer.submit(report(id)).snapshotId(), r -> Thread.ofVirtual()
                .start(r));
    }

    @Test
    void whileOneTransactionRunsTheOtherWriterWaitsUntilHalfABatchHasQueued() throws Exception {
        try (Database database = Database.connect(TestDatabases.fresh())) {
            RecordingWork work = new RecordingWork();
            // maxBatch 20: the second writer waits for 10; the wait's bound is far beyond the test.
            try (ScanWriter writer = new ScanWriter(database.jdbi(), work, 2, 20, Duration.ofMinutes(5))) {
                CompletableFuture<String> held = submitAsync(writer, "mi-hold");
                work.holding.await();
                List<CompletableFuture<String>> rest = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    rest.add(submitAsync(writer, "mi-" + i));
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(rest.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("mi-" + i);
                }
                // Answered while the first transaction still runs: the tenth report, not its end, set them going.
                assertThat(held).isNotDone();
                assertThat(work.batches).hasSize(1);
                assertThat(work.batches.getFirst()).hasSize(10);
                work.release.countDown();
                assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo("mi-hold");
            }
        }
    }

    @Test
    void theEndOfTheOtherTransactionSetsAWaitingWriterGoingWithWhatItHas() throws Exception {
        try (Database database = Database.connect(TestDatabases.fresh())) {
            RecordingWork work = new RecordingWork();
            try (ScanWriter writer = new ScanWriter(database.jdbi(), work, 2, 20, Duration.ofMinutes(5))) {
                CompletableFuture<String> held = submitAsync(writer, "mi-hold");
                work.holding.await();
                List<CompletableFuture<String>> few = List.of(submitAsync(writer, "mi-a"), submitAsync(writer, "mi-b"));
                work.release.countDown();
                assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo("mi-hold");
                assertThat(few.get(0).get(30, TimeUnit.SECONDS)).isEqualTo("mi-a");
                assertThat(few.get(1).get(30, TimeUnit.SECONDS)).isEqualTo("mi-b");
                assertThat(work.batches.getFirst()).containsExactly("mi-hold");
            }
        }
    }

    @Test
    void aLoneReportIsWrittenAtOnce() throws Exception {
        try (Database database = Database.connect(TestDatabases.fresh())) {
            RecordingWork work = new RecordingWork();
            // No transaction runs, so nothing is waited for (a wait would outlast the get's bound).
            try (ScanWriter writer = new ScanWriter(database.jdbi(), work, 2, 20, Duration.ofMinutes(5))) {
                assertThat(submitAsync(writer, "mi-lone").get(30, TimeUnit.SECONDS))
                        .isEqualTo("mi-lone");
                assertThat(work.batches).containsExactly(List.of("mi-lone"));
            }
        }
    }
}
