package dev.patchtide.core.patching;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * An update a scan found for an installed package, with the attributes baselines filter on. Debian-family
 * updates carry priority, section and whether they come from a security archive; RPM updates carry the
 * classification and severity of their advisory, and its release date.
 */
public record AvailablePatch(
        String name,
        String arch,
        String installedVersion,
        String availableVersion,
        String product,
        String classification,
        String severity,
        String priority,
        String section,
        boolean security,
        Optional<LocalDate> released,
        List<String> cves) {

    /** The value a patch filter key looks at; empty when the patch has no such attribute. */
    String attribute(String key) {
        String value =
                switch (key) {
                    case "PRODUCT" -> product;
                    case "CLASSIFICATION" -> classification;
                    case "SEVERITY" -> severity;
                    case "PRIORITY" -> priority;
                    case "SECTION" -> section;
                    case "NAME" -> name;
                    case "ARCH" -> arch;
                    case "VERSION" -> availableVersion;
                    case "SECURITY" -> security ? "SECURITY" : "NON-SECURITY";
                    default -> null;
                };
        return value == null ? "" : value;
    }
}
