package dev.patchtide.agent.scan.zypper;

import java.util.List;

/**
 * An installed package and the build {@code zypper update} would bring (as {@code zypper list-updates} lists it),
 * with the patches that carry that step.
 *
 * @param classification the category of the most severe such patch, capitalised (Security, Recommended…); empty if none
 * @param severity Critical, Important, Moderate, Low of that patch; empty if it gives none
 * @param issued seconds since the epoch of the earliest such patch; 0 when none
 */
public record ZypperUpdate(
        String name,
        String arch,
        String installed,
        String available,
        String repository,
        String classification,
        String severity,
        List<String> patchIds,
        List<String> cves,
        long issued,
        boolean rebootSuggested) {}
