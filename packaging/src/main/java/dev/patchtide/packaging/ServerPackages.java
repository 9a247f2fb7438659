package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the server's host packages: the {@code patchtide} command's jar and its libraries (the server and the
 * embedded PostgreSQL's binaries among them) on their own runtime, a launcher that reads
 * {@code /etc/patchtide/server.conf}, a systemd unit, and the agent packages built beside it, which the
 * server's enrolment hands out. Run by the build after {@link AgentPackages}, with {@code --version= --jar=
 * --lib= --dist= --agent-packages= --out=}.
 */
public final class ServerPackages {
    static final String NAME = "patchtide-server";
    static final String HOME = "/usr/lib/patchtide";
    static final String STATE = "/var/lib/patchtide";
    static final String CONF = "/etc/patchtide/server.conf";
    static final String SHELF = "/usr/share/patchtide/agent-packages";

    /**
     * Reached by reflection or through a service only, so jdeps cannot see them: Micrometer's process metrics
     * (com.sun.management), the JDK's own DNS naming for JNDI lookups drivers may make, and the charsets a
     * PostgreSQL client encoding or a mail header may name.
     */
    static final List<String> REFLECTIVE = List.of("jdk.management", "jdk.naming.dns", "jdk.charsets", "jdk.zipfs");

    private ServerPackages() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = AgentPackages.parse(args);
        Path jar = AgentPackages.existing(options, "jar");
        Path lib = AgentPackages.existing(options, "lib");
        Path dist = AgentPackages.existing(options, "dist");
        Path agentPackages = AgentPackages.existing(options, "agent-packages");
        Path out = Path.of(AgentPackages.required(options, "out"));
        String version = AgentPackages.required(options, "version");

        List<Path> jars = new ArrayList<>(List.of(jar));
        jars.addAll(libraries(lib));
        Path runtime = out.resolve("server-runtime");
        List<String> modules = RuntimeImage.modulesFor(jars, REFLECTIVE);
        RuntimeImage.link(modules, runtime);
        System.out.println("[packaging] server runtime with " + String.join(",", modules));

        PackageContent content = content(version, jar, lib, dist, runtime, agents(agentPackages, version));
        Path deb = DebWriter.write(
                content, AgentPackages.scripts(dist.resolve("deb"), "postinst", "prerm", "postrm"), out, out);
        Path rpm = RpmWriter.write(
                content, AgentPackages.scripts(dist.resolve("rpm"), "pre", "post", "preun", "postun"), out);
        System.out.println("[packaging] " + deb.getFileName() + " (" + Files.size(deb) / 1024 + " KiB), "
                + rpm.getFileName() + " (" + Files.size(rpm) / 1024 + " KiB)");
    }

    static PackageContent content(String version, Path jar, Path lib, Path dist, Path runtime, List<Path> agentPackages)
            throws IOException {
        PackageContent.Builder files = new PackageContent.Builder()
                .dir(HOME, 0755)
                .tree(HOME + "/runtime", runtime)
                .file(HOME + "/patchtide.jar", jar, 0644)
                .dir(HOME + "/lib", 0755);
        for (Path library : libraries(lib)) {
            files.file(HOME + "/lib/" + library.getFileName(), library, 0644);
        }
        files.file(HOME + "/server-jvm.options", dist.resolve("server-jvm.options"), 0644)
                .file("/usr/bin/" + NAME, dist.resolve(NAME), 0755)
                .file("/usr/bin/patchtide", dist.resolve("patchtide"), 0755)
                .file("/usr/lib/systemd/system/" + NAME + ".service", dist.resolve(NAME + ".service"), 0644)
                .file("/usr/lib/sysusers.d/" + NAME + ".conf", dist.resolve("sysusers.conf"), 0644)
                .dir("/etc/patchtide", 0755)
                .file(CONF, dist.resolve("server.conf"), 0644)
                .dir("/usr/share/patchtide", 0755)
                .dir(SHELF, 0755);
        for (Path agent : agentPackages) {
            files.file(SHELF + "/" + agent.getFileName(), agent, 0644);
        }
        // The database and the secret key: the service's user only (the maintainer script hands it over).
        files.dir(STATE, 0750);
        return new PackageContent(
                NAME,
                version,
                "Patchtide server: patch compliance and patching for a fleet of Linux hosts",
                """
                The Patchtide server keeps the fleet's patch compliance, runs maintenance windows,
                commands and workflows, and speaks the AWS Systems Manager, EventBridge and Step
                Functions APIs. It carries its own Java runtime and an embedded PostgreSQL, and the
                agent packages its enrolment script installs on new hosts.

                Settings are in /etc/patchtide/server.conf, data in /var/lib/patchtide. Installing it
                starts nothing: 'systemctl enable --now patchtide-server'.""",
                files.entries(),
                List.of(CONF));
    }

    /** The jars of the command's lib folder, by name, so two builds list them alike. */
    private static List<Path> libraries(Path lib) throws IOException {
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList();
        }
    }

    /** The .deb and .rpm of the agent of this version; the build makes both before this runs. */
    private static List<Path> agents(Path dir, String version) {
        List<Path> packages = List.of(
                dir.resolve(AgentPackages.NAME + "_" + version + "_amd64.deb"),
                dir.resolve(AgentPackages.NAME + "-" + version + "-1.x86_64.rpm"));
        for (Path p : packages) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("--agent-packages: " + p + " is missing (build the agent's first)");
            }
        }
        return packages;
    }
}
