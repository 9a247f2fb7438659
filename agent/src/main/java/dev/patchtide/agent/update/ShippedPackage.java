package dev.patchtide.agent.update;

import java.util.regex.Pattern;

/** One agent package as {@code Patchtide.DescribeAgentPackages} states it. */
record ShippedPackage(String fileName, String version, String format, String architecture, long size, String sha256) {
    /** A file name that can only name a file of the server's shelf, and a digest to compare with. */
    private static final Pattern NAME = Pattern.compile("^patchtide-agent[_-][0-9A-Za-z.+~_-]{1,100}\\.(deb|rpm)$");

    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    boolean isWellFormed() {
        return NAME.matcher(fileName).matches()
                && !version.isEmpty()
                && SHA256.matcher(sha256).matches();
    }
}
