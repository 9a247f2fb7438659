package dev.patchtide.bench.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A host's Patchtide.PutPatchScanReport body, member for member as the agent's PatchReport builds it. */
final class Reports {
    private Reports() {}

    static Map<String, Object> body(String instanceId, FleetModel.Host host, Instant start, Instant end) {
        List<Map<String, Object>> patches = new ArrayList<>(host.updates().size());
        for (FleetModel.Package p : host.updates()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Name", p.name());
            m.put("Arch", p.arch());
            m.put("InstalledVersion", p.installedVersion());
            m.put("AvailableVersion", p.candidateVersion());
            m.put("Product", host.product());
            m.put("Classification", "");
            m.put("Severity", "");
            m.put(
                    "Priority",
                    Character.toUpperCase(p.priority().charAt(0)) + p.priority().substring(1));
            m.put("Section", p.section());
            m.put("Security", p.security());
            m.put("CVEIds", List.of());
            patches.add(m);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", instanceId);
        report.put("OperatingSystem", host.operatingSystem());
        report.put("OperationStartTime", start.toEpochMilli() / 1000.0);
        report.put("OperationEndTime", end.toEpochMilli() / 1000.0);
        report.put("InstalledCount", host.installedCount());
        report.put("RebootRequired", host.index() % 17 == 0);
        report.put("Patches", patches);
        return report;
    }
}
