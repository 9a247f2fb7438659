package dev.patchtide.agent.scan;

import java.util.Locale;
import java.util.Map;

/**
 * A host's operating system as Systems Manager names it, told by {@code /etc/os-release}: the {@code
 * OperatingSystem} a patch baseline is for (AMAZON_LINUX_2023, REDHAT_ENTERPRISE_LINUX, SUSE…) and the {@code
 * PRODUCT} its patches are filed under (AmazonLinux2023, RedhatEnterpriseLinux9.4, Suse15.5…).
 */
public record OperatingSystem(String name, String product) {

    /** An os-release this agent cannot patch; the message names its ID and VERSION_ID. */
    public static final class Unsupported extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    public static OperatingSystem detect(Map<String, String> osRelease) {
        String id = osRelease.getOrDefault("ID", "").strip().toLowerCase(Locale.ROOT);
        String version = osRelease.getOrDefault("VERSION_ID", "").strip();
        String name = osRelease.getOrDefault("NAME", "");
        return switch (id) {
            case "debian" -> new OperatingSystem("DEBIAN", "Debian" + version);
            case "ubuntu" -> new OperatingSystem("UBUNTU", "Ubuntu" + version);
            case "raspbian" -> new OperatingSystem("RASPBIAN", "Raspbian" + version);
            case "rhel" -> new OperatingSystem("REDHAT_ENTERPRISE_LINUX", "RedhatEnterpriseLinux" + version);
            case "rocky" -> new OperatingSystem("ROCKY_LINUX", "RockyLinux" + version);
            case "almalinux" -> new OperatingSystem("ALMA_LINUX", "AlmaLinux" + version);
            case "ol" -> new OperatingSystem("ORACLE_LINUX", "OracleLinux" + version);
            // CentOS Stream says so only in its NAME; its VERSION_ID is the major version alone
            case "centos" ->
                new OperatingSystem("CENTOS", (name.contains("Stream") ? "CentOSStream" : "CentOS") + version);
            case "amzn" -> amazon(version);
            case "sles", "sled", "sles_sap" -> new OperatingSystem("SUSE", "Suse" + version);
            case "opensuse-leap" -> new OperatingSystem("SUSE", "OpenSUSELeap" + version);
            case "opensuse-tumbleweed" -> new OperatingSystem("SUSE", "OpenSUSETumbleweed");
            default ->
                throw new Unsupported("this host's operating system (os-release ID '" + clip(id) + "', VERSION_ID '"
                        + clip(version) + "') is not one Patchtide patches");
        };
    }

    private static OperatingSystem amazon(String version) {
        if (version.equals("2")) {
            return new OperatingSystem("AMAZON_LINUX_2", "AmazonLinux2");
        }
        if (version.startsWith("2023")) {
            return new OperatingSystem("AMAZON_LINUX_2023", "AmazonLinux2023");
        }
        if (version.startsWith("2022")) {
            return new OperatingSystem("AMAZON_LINUX_2022", "AmazonLinux2022");
        }
        if (version.matches("20\\d\\d\\.\\d\\d")) {
            return new OperatingSystem("AMAZON_LINUX", "AmazonLinux" + version);
        }
        throw new Unsupported("Amazon Linux VERSION_ID '" + clip(version) + "' is none Patchtide knows");
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
