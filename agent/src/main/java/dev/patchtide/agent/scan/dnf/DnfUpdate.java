package dev.patchtide.agent.scan.dnf;

import java.util.List;

/**
 * An installed RPM with a newer build in the enabled repositories, classified by the advisories that
 * cover the step from the installed to the available version.
 *
 * @param classification Security, Bugfix, Enhancement, … of the most severe advisory; Unspecified if none
 * @param severity Critical, Important, Moderate, Low, or empty when no advisory gives one
 */
public record DnfUpdate(
        String name,
        String arch,
        String installed,
        String available,
        String repository,
        String classification,
        String severity,
        List<String> advisoryIds,
        List<String> cves,
        String issued) {}
