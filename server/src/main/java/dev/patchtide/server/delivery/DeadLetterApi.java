package dev.patchtide.server.delivery;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@code Patchtide.ListDeadLetters} and {@code Patchtide.RedriveDeadLetters}: see what could not be delivered, and send it again. */
public final class DeadLetterApi {
    private static final String LISTING = "dead-letters";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final DeliveryWorker worker;

    public DeadLetterApi(Jdbi jdbi, InstantSource clock, DeliveryWorker worker) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.worker = worker;
    }

    record ListDeadLettersRequest(String source, String nextToken, Integer maxResults) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("source", source, 1, 1600).range("maxResults", maxResults, 1, 100);
        }
    }

    record DeadLetterEntry(
            long deliveryId,
            String destinationKind,
            String destination,
            String source,
            int attempts,
            Instant createdAt,
            Instant failedAt,
            String reason,
            String payload) {}

    record ListDeadLettersResult(List<DeadLetterEntry> deadLetters, String nextToken) {}

    record RedriveDeadLettersRequest(List<Long> deliveryIds) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("deliveryIds", deliveryIds).size("deliveryIds", deliveryIds, 1, 100);
        }
    }

    record RedriveDeadLettersResult(List<Long> redrivenDeliveryIds, List<Long> notFoundDeliveryIds) {}

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.ListDeadLetters", ListDeadLettersRequest.class, Access.adminOnly(), (q, who) -> list(q)));
        router.register(new Action<>(
                "Patchtide.RedriveDeadLetters",
                RedriveDeadLettersRequest.class,
                Access.adminOnly(),
                (q, who) -> redrive(q)));
    }

    private ListDeadLettersResult list(ListDeadLettersRequest q) {
        int limit = q.maxResults() == null ? 50 : q.maxResults();
        long after = PageToken.decode(LISTING, q.nextToken())
                .map(DeadLetterApi::parseId)
                .orElse(0L);
        List<DeadLetters.DeadLetter> page =
                jdbi.withHandle(h -> DeadLetters.list(h, Optional.ofNullable(q.source()), after, limit + 1));
        String next = page.size() > limit
                ? PageToken.encode(LISTING, Long.toString(page.get(limit - 1).deliveryId()))
                : null;
        List<DeadLetterEntry> entries = page.stream()
                .limit(limit)
                .map(d -> new DeadLetterEntry(
                        d.deliveryId(),
                        d.destinationKind(),
                        d.destination(),
                        d.source(),
                        d.attempts(),
                        d.createdAt(),
                        d.failedAt(),
                        d.reason(),
                        d.payload()))
                .toList();
        return new ListDeadLettersResult(entries, next);
    }

    private RedriveDeadLettersResult redrive(RedriveDeadLettersRequest q) {
        List<Long> redriven = jdbi.inTransaction(h -> DeadLetters.redrive(h, q.deliveryIds(), clock.instant()));
        List<Long> missing = new ArrayList<>(q.deliveryIds());
        missing.removeAll(redriven);
        worker.wake();
        return new RedriveDeadLettersResult(redriven, missing);
    }

    private static long parseId(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ApiException.Invalid("InvalidNextToken", "The specified token isn't valid.");
        }
    }
}
