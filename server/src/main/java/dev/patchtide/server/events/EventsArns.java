package dev.patchtide.server.events;

/** ARNs of EventBridge resources in this server's region and account, and names read back from them. */
record EventsArns(String region, String account) {
    private static final String BUS_MARKER = ":event-bus/";

    String prefix() {
        return "arn:aws:events:" + region + ":" + account + ":";
    }

    String bus(String name) {
        return prefix() + "event-bus/" + name;
    }

    /** As AWS: rules of the default bus are {@code rule/<name>}, others {@code rule/<bus>/<name>}. */
    String rule(String bus, String name) {
        return prefix() + "rule/" + (bus.equals(EventBuses.DEFAULT) ? "" : bus + "/") + name;
    }

    String archive(String name) {
        return prefix() + "archive/" + name;
    }

    String replay(String name) {
        return prefix() + "replay/" + name;
    }

    /** The bus a request names, by name or ARN; the default bus when none is given. */
    static String busName(String nameOrArn) {
        if (nameOrArn == null) {
            return EventBuses.DEFAULT;
        }
        int at = nameOrArn.indexOf(BUS_MARKER);
        return nameOrArn.startsWith("arn:") && at > 0 ? nameOrArn.substring(at + BUS_MARKER.length()) : nameOrArn;
    }

    /** The archive name of an archive ARN, if it is one. */
    java.util.Optional<String> archiveName(String arn) {
        String p = prefix() + "archive/";
        return arn != null && arn.startsWith(p) && arn.length() > p.length()
                ? java.util.Optional.of(arn.substring(p.length()))
                : java.util.Optional.empty();
    }

    /** The bus name of an event-bus ARN of this account, if it is one. */
    java.util.Optional<String> busOfArn(String arn) {
        String p = prefix() + "event-bus/";
        return arn != null && arn.startsWith(p) && arn.length() > p.length()
                ? java.util.Optional.of(arn.substring(p.length()))
                : java.util.Optional.empty();
    }
}
