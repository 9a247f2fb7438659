package dev.patchtide.server.commands;

import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * SendCommand's own hand-out: the invocations it releases whose agent waits in a poll on this node are inserted
 * DELIVERED by SendCommand itself and answered at its commit, instead of in a second round (wake-up, look, claim)
 * after it. The polls are reserved before the insert (the node's {@link Deliverer} then leaves them alone), answered
 * after the commit and unreserved after a rollback. A poll gone by the end of SendCommand gives its row back
 * (RELEASED, woken as usual: nothing is committed yet, so nobody saw it delivered), unless it was superseded by a
 * newer poll of its agent waiting here, which takes its place.
 */
final class Handout {
    private final Deliverer deliverer;

    Handout(Deliverer deliverer) {
        this.deliverer = deliverer;
    }

    /**
     * Reserves the polls waiting on this node for {@code released} (invocations of {@code command} that the caller
     * is about to insert), until {@code handle}'s transaction ends.
     */
    Reservation reserve(Handle handle, CommandRow command, List<String> released) {
        Reservation reservation = new Reservation();
        deliverer.reserveWaiting(released).forEach(p -> reservation.polls.put(p.instanceId, p));
        if (!reservation.polls.isEmpty()) {
            try {
                // Written now: nothing may fail after the commit, when the rows are delivered.
                reservation.template = new InvocationTemplate(command);
            } catch (RuntimeException e) {
                reservation.unreserve();
                throw e;
            }
            handle.afterCommit(reservation::answer);
            handle.afterRollback(reservation::unreserve);
        }
        return reservation;
    }

    /** The polls one SendCommand hands its invocations to, by instance. */
    final class Reservation {
        private final Map<String, Poll> polls = new LinkedHashMap<>();
        private InvocationTemplate template;

        private Reservation() {}

        /** For each of {@code instanceIds}: whether its invocation is handed out here (a column of the insert). */
        Boolean[] handed(String[] instanceIds) {
            Boolean[] handed = new Boolean[instanceIds.length];
            for (int i = 0; i < instanceIds.length; i++) {
                handed[i] = polls.containsKey(instanceIds[i]);
            }
            return handed;
        }

        boolean isEmpty() {
            return polls.isEmpty();
        }

        /** The instances handed out here. */
        List<String> instances() {
            return List.copyOf(polls.keySet());
        }

        /**
         * Drops the polls nobody reads any more (abandoned, or superseded with no newer poll waiting here; a newer one
         * takes a superseded poll's place); answers their instances, whose rows the caller gives back. Called last
         * before the commit.
         */
        List<String> dropGone() {
            long at = System.nanoTime();
            List<String> gone = new ArrayList<>();
            for (Poll poll : List.copyOf(polls.values())) {
                if (poll.abandoned(at, Claims.ABANDONED_AFTER_NANOS)) {
                    gone.add(poll.instanceId);
                    polls.remove(poll.instanceId);
                    poll.close();
                } else if (poll.superseded()) {
                    Optional<Poll> newer = deliverer.successor(poll);
                    if (newer.isPresent()) {
                        polls.put(poll.instanceId, newer.get());
                    } else {
                        gone.add(poll.instanceId);
                        polls.remove(poll.instanceId);
                    }
                    poll.close();
                }
            }
            return gone;
        }

        /**
         * After the commit: each poll gets its invocation, or the newer poll that superseded it since the last check
         * (its agent reads only that one) when one waits here.
         */
        private void answer() {
            for (Poll poll : polls.values()) {
                Poll reader = poll;
                if (poll.superseded()) {
                    Optional<Poll> newer = deliverer.successor(poll);
                    if (newer.isPresent()) {
                        reader = newer.get();
                        poll.close();
                    }
                }
                reader.answer(new ReceiveCommandInvocationsResult(
                        List.of(template.of(poll.instanceId)), reader.cancellations()));
            }
            Timeline.mark("send.answered", polls.size());
        }

        private void unreserve() {
            polls.values().forEach(Poll::unreserve);
        }
    }
}
