package dev.patchtide.agent.scan.apt;

import java.util.List;

/**
 * An installed package whose apt candidate is newer: what {@code apt list --upgradable} shows, plus where
 * the candidate comes from and how Debian classifies it.
 *
 * @param archives the archives offering the candidate, named as apt list does (for example
 *     {@code oldstable-security})
 * @param security whether the candidate comes from a security archive
 * @param priority the package's Priority field (required, important, standard, optional, extra)
 */
public record AptUpdate(
        String name,
        String architecture,
        String installedVersion,
        String candidateVersion,
        List<String> archives,
        String origin,
        boolean security,
        String priority,
        String section) {}
