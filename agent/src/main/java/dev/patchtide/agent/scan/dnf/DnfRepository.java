package dev.patchtide.agent.scan.dnf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One repository as dnf configures it from a {@code .repo} section (variables already substituted).
 *
 * @param excludes its {@code excludepkgs} (or {@code exclude}) globs, the [main] ones added
 * @param includes its {@code includepkgs} globs: when any is given, only matching packages come from it
 * @param priority lower wins: for a name.arch only the repositories of the best priority offering it count
 * @param cost lower wins when the same build is in several repositories
 */
public record DnfRepository(
        String id,
        boolean enabled,
        List<String> baseurls,
        Optional<String> metalink,
        Optional<String> mirrorlist,
        List<String> excludes,
        List<String> includes,
        int priority,
        int cost,
        boolean skipIfUnavailable) {

    public static final int DEFAULT_PRIORITY = 99;
    public static final int DEFAULT_COST = 1000;

    /**
     * The folder dnf caches it in, under its cachedir: {@code <id>-<hash>}, the hash being the first 8 bytes of
     * the SHA-256 of its metalink, else mirrorlist, else first baseurl, else id (libdnf's {@code getHash}); so a
     * repository whose URL changed is not read from the old URL's cache.
     */
    public String cacheDirName() {
        String source = metalink.filter(s -> !s.isEmpty())
                .or(() -> mirrorlist.filter(s -> !s.isEmpty()))
                .or(() -> baseurls.stream().findFirst())
                .orElse(id);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return id + "-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
