package dev.patchtide.agent.scan.zypper;

/**
 * One repository of {@code /etc/zypp/repos.d}, with zypper's defaults for what the file leaves out: enabled,
 * no autorefresh, priority 99. A lower number is a higher priority: zypper takes an update from the repository
 * with the highest priority that has a newer build, even when a repository of lower priority has a newer one.
 *
 * @param baseUrl with {@code $releasever}, {@code $basearch} and {@code $arch} replaced as zypper does
 */
public record ZypperRepo(
        String alias, String name, boolean enabled, boolean autorefresh, int priority, String baseUrl) {
    public static final int DEFAULT_PRIORITY = 99;
}
