package dev.patchtide.server.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * A real apt repository of test packages, served over loopback HTTP and known to THIS host's apt through one
 * {@code sources.list.d} entry, for tests that install packages on this host for real. Packages are built by
 * {@code dpkg-deb} and indexed by {@code dpkg-scanpackages}; {@code apt-get update} reads only this source, so
 * the host's other lists are left as they are. {@link #close()} purges every package it built, removes the
 * entry and the lists apt stored for it.
 */
public final class HostAptRepository implements AutoCloseable {
    private final Path repo;
    private final HttpServer http;
    private final Path sourceEntry;
    private final String arch;
    private final Set<String> packages = new LinkedHashSet<>();

    private HostAptRepository(Path dir) throws Exception {
        this.repo = dir.resolve("repo");
        Files.createDirectories(repo);
        this.arch = run(List.of("dpkg", "--print-architecture")).strip();
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/", exchange -> {
            Path file = repo.resolve(exchange.getRequestURI().getPath().substring(1))
                    .normalize();
            if (!file.startsWith(repo) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        http.start();
        this.sourceEntry = Path.of(
                "/etc/apt/sources.list.d/patchtide-test-" + http.getAddress().getPort() + ".list");
    }

    /** Why this host cannot run such a test (not root, Debian's tools missing), or empty when it can. */
    public static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("installs packages on this host: needs root");
        }
        for (String[] tool : List.of(new String[] {"apt-get", "apt"}, new String[] {"dpkg-deb", "dpkg"}, new String[] {
            "dpkg-scanpackages", "dpkg-dev"
        })) {
            if (!onPath(tool[0])) {
                return Optional.of(tool[0] + " is not installed: install the Debian package " + tool[1]);
            }
        }
        return Optional.empty();
    }

    public static HostAptRepository open(Path dir) throws Exception {
        return new HostAptRepository(dir);
    }

    /** Builds {@code name} at {@code version} into {@code suite}'s pool, in {@code section}. */
    public void deb(String suite, String name, String version, String section) throws Exception {
        Path build = Files.createTempDirectory(repo.getParent(), "build");
        Files.createDirectories(build.resolve("DEBIAN"));
        Files.writeString(
                build.resolve("DEBIAN/control"),
                "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch
                        + "\nMaintainer: Patchtide Tests <tests@example.net>\nPriority: optional\nSection: "
                        + section + "\nDescription: Patchtide test package " + name + "\n");
        Path doc = build.resolve("usr/share/doc/" + name);
        Files.createDirectories(doc);
        Files.writeString(doc.resolve("README"), name + " " + version + "\n");
        Path pool = repo.resolve("pool/" + suite);
        Files.createDirectories(pool);
        run(List.of(
                "dpkg-deb",
                "--root-owner-group",
                "-Zgzip",
                "--build",
                build.toString(),
                pool.resolve(name + "_" + version + "_" + arch + ".deb").toString()));
        packages.add(name);
    }

    /** Indexes each suite, lists them all in this host's sources and runs {@code apt-get update} for them only. */
    public void publish(String... suites) throws Exception {
        StringBuilder entry = new StringBuilder();
        for (String suite : suites) {
            Path binary = repo.resolve("dists/" + suite + "/main/binary-" + arch);
            Files.createDirectories(binary);
            String index = run(List.of("dpkg-scanpackages", "--multiversion", "pool/" + suite, "/dev/null"), repo);
            byte[] plain = index.getBytes(StandardCharsets.UTF_8);
            // Hosts that keep their lists compressed (Acquire::GzipIndexes) keep the compressed index as served.
            ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
                gzip.write(plain);
            }
            Files.write(binary.resolve("Packages"), plain);
            Files.write(binary.resolve("Packages.gz"), gzipped.toByteArray());
            Files.writeString(
                    repo.resolve("dists/" + suite + "/Release"),
                    "Origin: Patchtide\nLabel: Patchtide\nSuite: " + suite + "\nCodename: " + suite
                            + "\nDate: Thu, 01 Jan 2026 00:00:00 UTC\nArchitectures: " + arch
                            + "\nComponents: main\nSHA256:\n"
                            + releaseLine(plain, "main/binary-" + arch + "/Packages")
                            + releaseLine(gzipped.toByteArray(), "main/binary-" + arch + "/Packages.gz"));
            entry.append("deb [trusted=yes] ")
                    .append(baseUrl())
                    .append(' ')
                    .append(suite)
                    .append(" main\n");
        }
        Files.writeString(sourceEntry, entry.toString());
        run(List.of(
                "apt-get",
                "update",
                "-o",
                "Dir::Etc::SourceList=" + sourceEntry,
                "-o",
                "Dir::Etc::SourceParts=-",
                "-o",
                "APT::Get::List-Cleanup=0"));
    }

    private static String releaseLine(byte[] file, String path) throws Exception {
        String sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        return " " + sha256 + " " + file.length + " " + path + "\n";
    }

    /** Installs exactly these {@code name=version} through apt, as an administrator would. */
    public void install(String... nameEqualsVersion) throws Exception {
        List<String> line = new ArrayList<>(List.of("apt-get", "install", "-y", "--allow-downgrades"));
        line.addAll(List.of(nameEqualsVersion));
        run(line);
    }

    /** Every installed package of this host with its version and state, as {@code dpkg-query} lists them. */
    public static TreeMap<String, String> installedPackages() throws Exception {
        TreeMap<String, String> installed = new TreeMap<>();
        for (String line : run(List.of("dpkg-query", "-W", "-f", "${Package}:${Architecture} ${Version} ${Status}\n"))
                .split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                installed.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return installed;
    }

    /** The installed version of {@code name}, empty when it is not installed. */
    public static Optional<String> installedVersion(String name) throws Exception {
        return installedPackages().entrySet().stream()
                .filter(e -> e.getKey().startsWith(name + ":") && e.getValue().endsWith("install ok installed"))
                .map(e -> e.getValue().substring(0, e.getValue().indexOf(' ')))
                .findFirst();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    /** The architecture dpkg installs for (amd64 here). */
    public String arch() {
        return arch;
    }

    @Override
    public void close() throws IOException {
        try {
            if (!packages.isEmpty()) {
                List<String> purge = new ArrayList<>(List.of("dpkg", "--purge"));
                purge.addAll(packages);
                run(purge);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while removing the test packages", e);
        } finally {
            Files.deleteIfExists(sourceEntry);
            String prefix = "127.0.0.1:" + http.getAddress().getPort() + "_";
            try (var lists = Files.list(Path.of("/var/lib/apt/lists"))) {
                for (Path list : lists.filter(p -> p.getFileName().toString().startsWith(prefix))
                        .toList()) {
                    Files.deleteIfExists(list);
                }
            }
            http.stop(0);
        }
    }

    private static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, Path.of("/"));
    }

    private static String run(List<String> command, Path directory) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(standard error unreadable: " + e.getMessage() + ")";
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + out + err.join());
        }
        return out;
    }
}
