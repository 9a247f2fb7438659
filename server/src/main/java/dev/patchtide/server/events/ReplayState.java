package dev.patchtide.server.events;

import dev.patchtide.server.lifecycle.Lifecycle;

/**
 * A replay's state, with EventBridge's names. StartReplay creates it STARTING; the events worker moves it
 * on; CancelReplay asks a STARTING or RUNNING replay to stop, which the worker then does.
 */
enum ReplayState {
    STARTING,
    RUNNING,
    CANCELLING,
    CANCELLED,
    COMPLETED,
    FAILED;

    static final Lifecycle<ReplayState> LIFECYCLE = Lifecycle.of("replay", ReplayState.class)
            .on("worker begins the replay", STARTING, RUNNING)
            .on("CancelReplay before it began", STARTING, CANCELLING)
            .on("CancelReplay while replaying", RUNNING, CANCELLING)
            .on("last batch replayed", RUNNING, COMPLETED)
            .on("archive or event bus deleted", RUNNING, FAILED)
            .on("worker stops the replay", CANCELLING, CANCELLED)
            .build();

    /** The states the worker still has something to do in. */
    boolean active() {
        return this == STARTING || this == RUNNING || this == CANCELLING;
    }
}
