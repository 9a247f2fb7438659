package dev.patchtide.workflow.run;

import java.util.List;
import java.util.Optional;

/**
 * The result of feeding an execution one signal (or its input): the execution's new snapshot, the history events
 * the step appended, the effects the host must carry out, and the outcome if the execution ended. A durable host
 * stores snapshot, events and effects in one transaction before it acts on any effect.
 */
public record Step(Snapshot snapshot, List<HistoryEvent> events, List<Effect> effects, Optional<Outcome> outcome) {}
