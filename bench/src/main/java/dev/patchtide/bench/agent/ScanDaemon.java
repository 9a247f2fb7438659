package dev.patchtide.bench.agent;

import dev.patchtide.agent.AgentJson;
import dev.patchtide.agent.scan.PatchReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A long-running agent process for {@link ScanCost}: it scans when told on standard input, as the agent's
 * scan thread does (the same {@link PatchReport} kept across scans, the report turned into the JSON the
 * agent sends), and answers on standard output, so the parent can read this process's CPU and memory from
 * /proc around each scan. {@code fresh} makes a new scanner per scan, as the agent did before it kept one
 * (and works against that older agent's classes).
 */
public final class ScanDaemon {
    private ScanDaemon() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "/");
        boolean fresh = args.length > 1 && args[1].equals("fresh");
        var json = AgentJson.mapper();
        PatchReport kept = fresh ? null : new PatchReport(root);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null && line.equals("scan")) {
            Map<String, Object> report = fresh
                    ? PatchReport.scan(root, "mi-0123456789abcdef0")
                    : kept.scan("mi-0123456789abcdef0", java.time.InstantSource.system());
            byte[] body = json.writeValueAsBytes(report);
            System.out.println("scanned " + ((List<?>) report.get("Patches")).size() + " " + body.length);
            System.out.flush();
        }
    }
}
