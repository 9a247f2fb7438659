package dev.patchtide.server.patching;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * DescribePatchProperties: the values each patch filter can take per operating system, what an operator
 * writes into a baseline's rules (for example Debian's PRIORITY values or the RHEL family's SEVERITY).
 */
final class PatchProperties {
    private PatchProperties() {}

    record DescribePatchPropertiesRequest(
            String operatingSystem, String property, String patchSet, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("operatingSystem", operatingSystem)
                    .oneOf("operatingSystem", operatingSystem, BaselineMessages.OPERATING_SYSTEMS)
                    .required("property", property)
                    .oneOf(
                            "property",
                            property,
                            Set.of(
                                    "PRODUCT",
                                    "PRODUCT_FAMILY",
                                    "CLASSIFICATION",
                                    "MSRC_SEVERITY",
                                    "PRIORITY",
                                    "SEVERITY"))
                    .oneOf("patchSet", patchSet, Set.of("OS", "APPLICATION"))
                    .range("maxResults", maxResults, 1, 50);
        }
    }

    record DescribePatchPropertiesResult(List<Map<String, String>> properties, String nextToken) {}

    private static final List<String> DEB_PRIORITIES =
            List.of("Required", "Important", "Standard", "Optional", "Extra");
    private static final List<String> RPM_CLASSIFICATIONS =
            List.of("Security", "Bugfix", "Enhancement", "Recommended", "Newpackage");
    private static final List<String> RHEL_SEVERITIES = List.of("Critical", "Important", "Moderate", "Low");
    private static final List<String> AMAZON_SEVERITIES = List.of("Critical", "Important", "Medium", "Low");
    /** SUSE's patch categories (updateinfo's type) and severities, as Systems Manager names them. */
    private static final List<String> SUSE_CLASSIFICATIONS =
            List.of("Security", "Recommended", "Optional", "Feature", "Document", "Yast");

    private static final List<String> SUSE_SEVERITIES = List.of("Critical", "Important", "Moderate", "Low");

    static List<String> values(String os, String property) {
        boolean debianFamily = os.equals("DEBIAN") || os.equals("UBUNTU") || os.equals("RASPBIAN");
        return switch (property) {
            case "PRODUCT" -> products(os);
            case "PRIORITY" -> debianFamily ? DEB_PRIORITIES : List.of();
            case "CLASSIFICATION" -> {
                if (debianFamily || os.equals("WINDOWS") || os.equals("MACOS")) {
                    yield List.of();
                }
                yield os.equals("SUSE") ? SUSE_CLASSIFICATIONS : RPM_CLASSIFICATIONS;
            }
            case "SEVERITY" -> {
                if (debianFamily || os.equals("WINDOWS") || os.equals("MACOS")) {
                    yield List.of();
                }
                if (os.equals("SUSE")) {
                    yield SUSE_SEVERITIES;
                }
                yield os.startsWith("AMAZON_LINUX") ? AMAZON_SEVERITIES : RHEL_SEVERITIES;
            }
            default -> List.of();
        };
    }

    private static List<String> products(String os) {
        return switch (os) {
            case "DEBIAN" -> List.of("Debian8", "Debian9", "Debian10", "Debian11", "Debian12");
            case "UBUNTU" ->
                List.of("Ubuntu14.04", "Ubuntu16.04", "Ubuntu18.04", "Ubuntu20.04", "Ubuntu22.04", "Ubuntu24.04");
            case "RASPBIAN" -> List.of("Raspbian9", "Raspbian10", "Raspbian11");
            case "REDHAT_ENTERPRISE_LINUX" ->
                concat(
                        minor("RedhatEnterpriseLinux7.", 9),
                        minor("RedhatEnterpriseLinux8.", 10),
                        minor("RedhatEnterpriseLinux9.", 6));
            case "ROCKY_LINUX" -> concat(minor("RockyLinux8.", 10), minor("RockyLinux9.", 6));
            case "ALMA_LINUX" -> concat(minor("AlmaLinux8.", 10), minor("AlmaLinux9.", 6));
            case "CENTOS" ->
                concat(
                        minor("CentOS7.", 9),
                        minor("CentOS8.", 5),
                        List.of("CentOS7", "CentOS8", "CentOSStream8", "CentOSStream9"));
            case "ORACLE_LINUX" ->
                concat(minor("OracleLinux7.", 9), minor("OracleLinux8.", 10), minor("OracleLinux9.", 6));
            case "AMAZON_LINUX" -> List.of("AmazonLinux2018.03");
            case "AMAZON_LINUX_2" -> List.of("AmazonLinux2");
            case "AMAZON_LINUX_2022" -> List.of("AmazonLinux2022");
            case "AMAZON_LINUX_2023" -> List.of("AmazonLinux2023");
            case "SUSE" -> concat(minor("Suse12.", 9), minor("Suse15.", 6));
            default -> List.of();
        };
    }

    private static List<String> minor(String prefix, int last) {
        return IntStream.rangeClosed(0, last).mapToObj(i -> prefix + i).toList();
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return all;
    }
}
