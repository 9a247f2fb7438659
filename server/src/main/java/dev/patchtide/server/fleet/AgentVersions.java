package dev.patchtide.server.fleet;

import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an agent runs the latest version, as {@code IsLatestVersion} reports it: the latest is the one the
 * server ships ({@link ShippedAgents#latestVersion()}: the highest on its agent-package shelf, else the server's
 * own version, which the agent of the same build reports too). Versions compare by their dotted numbers; a
 * suffix such as {@code -SNAPSHOT} is ignored.
 */
final class AgentVersions {
    private static final Pattern NUMBERS = Pattern.compile("^[0-9]+(\\.[0-9]+)*");

    private final Supplier<String> latest;

    AgentVersions(String latestVersion) {
        this(() -> latestVersion);
    }

    /** @param latest read at each question: the shelf may change while the server runs */
    AgentVersions(Supplier<String> latest) {
        this.latest = latest;
    }

    static AgentVersions shippedBy(ShippedAgents shipped) {
        return new AgentVersions(shipped::latestVersion);
    }

    /** The version agents are compared with. */
    String latest() {
        return latest.get();
    }

    /** Null when the agent has not reported a version yet, as SSM leaves the field out then. */
    Boolean isLatest(String agentVersion) {
        if (agentVersion == null) {
            return null;
        }
        return compare(numbers(agentVersion), numbers(latest.get())) >= 0;
    }

    private static long[] numbers(String version) {
        Matcher m = NUMBERS.matcher(version.strip());
        if (!m.find()) {
            return new long[0];
        }
        String[] parts = m.group().split("\\.");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            // Agents report at most six digits a part (InstanceMessages.AGENT_VERSION); cap anything longer.
            out[i] = parts[i].length() > 18 ? Long.MAX_VALUE : Long.parseLong(parts[i]);
        }
        return out;
    }

    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            long x = i < a.length ? a[i] : 0;
            long y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }
}
