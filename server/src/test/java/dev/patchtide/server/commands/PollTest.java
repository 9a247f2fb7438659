package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The node's count of answers handed out but not yet taken by their requests, which looks and reports wait on. */
class PollTest {
    private static final ReceiveCommandInvocationsResult NOTHING =
            new ReceiveCommandInvocationsResult(List.of(), List.of());

    private final AtomicInteger untaken = new AtomicInteger();

    private Poll poll() {
        Poll poll = new Poll(
                "mi-0123456789abcdef0",
                System.nanoTime(),
                Duration.ofSeconds(20).toNanos(),
                untaken);
        poll.looked(List.of());
        return poll;
    }

    @Test
    void anAnswerCountsUntilItsRequestTakesIt() throws Exception {
        Poll poll = poll();
        assertThat(poll.reserve()).isTrue();

        poll.answer(NOTHING);
        assertThat(untaken).hasValue(1);
        assertThat(poll.await()).isSameAs(NOTHING);

        assertThat(poll.taken()).isTrue();
        assertThat(untaken).hasValue(0);
        assertThat(poll.taken()).isFalse();
        assertThat(untaken).hasValue(0);
    }

    @Test
    void anAnswerToAReservedPollWhoseRequestLeftIsNotCounted() throws Exception {
        Poll poll = poll();
        assertThat(poll.reserve()).isTrue();
        // The request's thread is interrupted (the node is stopping) while its poll is reserved: it leaves first.
        CompletableFuture<Throwable> left = new CompletableFuture<>();
        Thread request = Thread.ofVirtual().start(() -> {
            try {
                poll.await();
                left.complete(null);
            } catch (InterruptedException e) {
                left.complete(e);
            } finally {
                poll.taken();
            }
        });
        request.interrupt();
        assertThat(left.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        request.join(Duration.ofSeconds(10));

        poll.answer(NOTHING); // the claim commits after all
        assertThat(untaken).hasValue(0);
    }

    @Test
    void aFailedPollCountsNothing() {
        Poll poll = poll();
        assertThat(poll.reserve()).isTrue();
        poll.fail(new IllegalStateException("claim failed"));
        assertThatThrownBy(poll::await).isInstanceOf(IllegalStateException.class);
        poll.answer(NOTHING); // set too late: the failure stands
        assertThat(poll.taken()).isFalse();
        assertThat(untaken).hasValue(0);
    }
}
