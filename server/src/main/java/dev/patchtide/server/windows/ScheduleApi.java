package dev.patchtide.server.windows;

import dev.patchtide.core.schedule.WindowSchedule;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.windows.TargetApi.Page;
import dev.patchtide.server.windows.TaskMessages.MaintenanceWindowTarget;
import dev.patchtide.server.windows.WindowMessages.DescribeMaintenanceWindowScheduleRequest;
import dev.patchtide.server.windows.WindowMessages.DescribeMaintenanceWindowScheduleResult;
import dev.patchtide.server.windows.WindowMessages.DescribeMaintenanceWindowsForTargetRequest;
import dev.patchtide.server.windows.WindowMessages.DescribeMaintenanceWindowsForTargetResult;
import dev.patchtide.server.windows.WindowMessages.MaintenanceWindowIdentityForTarget;
import dev.patchtide.server.windows.WindowMessages.ScheduledWindowExecution;
import dev.patchtide.server.windows.WindowMessages.Target;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** DescribeMaintenanceWindowSchedule (next runs) and DescribeMaintenanceWindowsForTarget. */
final class ScheduleApi {
    /** How many future runs one window contributes to a schedule listing. */
    private static final int HORIZON = 100;

    private final Jdbi jdbi;
    private final InstantSource clock;

    ScheduleApi(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowSchedule",
                DescribeMaintenanceWindowScheduleRequest.class,
                Access.adminOnly(),
                (q, who) -> schedule(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowsForTarget",
                DescribeMaintenanceWindowsForTargetRequest.class,
                Access.adminOnly(),
                (q, who) -> forTarget(q)));
    }

    private record Run(WindowRow window, Instant at, String key) {}

    private DescribeMaintenanceWindowScheduleResult schedule(DescribeMaintenanceWindowScheduleRequest q) {
        if ((q.windowId() == null) == (q.targets() == null || q.targets().isEmpty())) {
            throw ApiException.validation("Give either WindowId or Targets (with ResourceType), not both.");
        }
        if (q.filters() != null && !q.filters().isEmpty()) {
            for (var f : q.filters()) {
                if (!List.of("ScheduledBefore", "ScheduledAfter").contains(f.key())) {
                    throw ApiException.validation("The filter key " + dev.patchtide.server.api.Validation.clip(f.key())
                            + " isn't valid; valid keys are ScheduledBefore and ScheduledAfter.");
                }
            }
        }
        Instant now = clock.instant();
        List<Run> runs = jdbi.withHandle(h -> {
            List<WindowRow> windows = q.windowId() != null
                    ? List.of(WindowRow.require(h, q.windowId(), false))
                    : windowsFor(h, q.targets());
            List<Run> all = new ArrayList<>();
            for (WindowRow w : windows) {
                if (!w.enabled()) {
                    continue;
                }
                WindowSchedule s = w.parsedSchedule();
                for (Instant at : s.upcoming(now, w.scheduleAnchor(), HORIZON)) {
                    all.add(new Run(w, at, at.toEpochMilli() + "/" + w.windowId()));
                }
            }
            return all;
        });
        List<Run> kept = runs.stream()
                .filter(r -> inFilters(r.at(), q))
                .sorted(Comparator.comparing(Run::at)
                        .thenComparing(r -> r.window().windowId()))
                .toList();
        Page<Run> page = Page.of(kept, Run::key, "window-schedule", q.maxResults(), q.nextToken());
        return new DescribeMaintenanceWindowScheduleResult(
                page.items().stream()
                        .map(r -> new ScheduledWindowExecution(
                                r.window().windowId(),
                                r.window().name(),
                                r.window().parsedSchedule().format(r.at())))
                        .toList(),
                page.nextToken());
    }

    private static boolean inFilters(Instant at, DescribeMaintenanceWindowScheduleRequest q) {
        if (q.filters() == null) {
            return true;
        }
        for (var f : q.filters()) {
            for (String v : f.values() == null ? List.<String>of() : f.values()) {
                Instant bound;
                try {
                    bound = java.time.OffsetDateTime.parse(v).toInstant();
                } catch (java.time.format.DateTimeParseException e) {
                    throw ApiException.validation("The filter " + f.key() + " takes ISO-8601 dates and times.");
                }
                if (f.key().equals("ScheduledBefore") && !at.isBefore(bound)) {
                    return false;
                }
                if (f.key().equals("ScheduledAfter") && !at.isAfter(bound)) {
                    return false;
                }
            }
        }
        return true;
    }

    private DescribeMaintenanceWindowsForTargetResult forTarget(DescribeMaintenanceWindowsForTargetRequest q) {
        List<WindowRow> windows = jdbi.withHandle(h -> windowsFor(h, q.targets()));
        List<MaintenanceWindowIdentityForTarget> all = windows.stream()
                .map(w -> new MaintenanceWindowIdentityForTarget(w.windowId(), w.name()))
                .toList();
        Page<MaintenanceWindowIdentityForTarget> page = Page.of(
                all, MaintenanceWindowIdentityForTarget::windowId, "windows-for-target", q.maxResults(), q.nextToken());
        return new DescribeMaintenanceWindowsForTargetResult(page.items(), page.nextToken());
    }

    /** The windows with a registered target that names one of the instances in {@code targets}. */
    private static List<WindowRow> windowsFor(Handle h, List<Target> targets) {
        Set<String> instances = new LinkedHashSet<>();
        for (Target t : targets) {
            if (!t.key().equals("InstanceIds")) {
                throw ApiException.validation("1 validation error detected: Value '"
                        + dev.patchtide.server.api.Validation.clip(t.key())
                        + "' at 'targets.member.key' failed to satisfy constraint: Member must be InstanceIds");
            }
            if (t.values() != null) {
                instances.addAll(t.values());
            }
        }
        Set<String> windowIds = new LinkedHashSet<>();
        for (MaintenanceWindowTarget registered : TargetApi.list(h, "CAST(:v AS text) IS NULL", null)) {
            List<String> named = TaskTargets.instancesOf(h, registered.targets());
            if (named.stream().anyMatch(instances::contains)) {
                windowIds.add(registered.windowId());
            }
        }
        return windowIds.stream()
                .sorted()
                .map(id -> WindowRow.require(h, id, false))
                .toList();
    }
}
