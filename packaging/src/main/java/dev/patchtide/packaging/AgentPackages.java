package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the agent's host packages from the lean jar: its own runtime ({@link RuntimeImage}), then the same
 * content as a .deb and an .rpm, with a class data sharing archive
 * of the daemon's classes ({@link ClassArchive}). Run by the build ({@code mvn package} in this module) with
 * {@code --version= --jar= --dist= --jvm-options= --out=}.
 */
public final class AgentPackages {
    static final String NAME = "patchtide-agent";
    static final String HOME = "/usr/lib/" + NAME;
    static final String STATE = "/var/lib/" + NAME;

    private AgentPackages() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        Path jar = existing(options, "jar");
        Path dist = existing(options, "dist");
        Path jvmOptions = existing(options, "jvm-options");
        Path out = Path.of(required(options, "out"));
        String version = required(options, "version");

        // laid out as installed: the class archive is dumped against the jar next to the runtime
        Path home = out.resolve("agent-home");
        Path runtime = home.resolve("runtime");
        List<String> modules = RuntimeImage.modulesFor(jar);
        RuntimeImage.link(modules, runtime);
        System.out.println("[packaging] agent runtime with " + String.join(",", modules));
        Path archive = ClassArchive.dump(home, jar, NAME + ".jar", dist.resolve("agent.classlist"));
        System.out.println("[packaging] agent class archive " + Files.size(archive) / 1024 + " KiB");
        List<String> unknown = ClassArchive.unknownNames(home);
        if (!unknown.isEmpty()) {
            System.out.println("[packaging] WARNING: agent.classlist names " + unknown.size()
                    + " classes that no longer exist ("
                    + String.join(", ", unknown.subList(0, Math.min(5, unknown.size())))
                    + (unknown.size() > 5 ? ", ..." : "") + "): refresh it with bench/scripts/agent-classlist.sh");
        }

        PackageContent content = content(version, home.resolve(NAME + ".jar"), dist, jvmOptions, runtime, archive);
        Path deb = DebWriter.write(content, scripts(dist.resolve("deb"), "postinst", "prerm", "postrm"), out, out);
        Path rpm = RpmWriter.write(content, scripts(dist.resolve("rpm"), "post", "preun", "postun"), out);
        System.out.println("[packaging] " + deb.getFileName() + " (" + Files.size(deb) / 1024 + " KiB), "
                + rpm.getFileName() + " (" + Files.size(rpm) / 1024 + " KiB)");
    }

    static PackageContent content(String version, Path jar, Path dist, Path jvmOptions, Path runtime, Path classArchive)
            throws IOException {
        PackageContent.Builder files = new PackageContent.Builder()
                .dir(HOME, 0755)
                .tree(HOME + "/runtime", runtime)
                .file(HOME + "/" + NAME + ".jar", jar, 0644)
                .file(HOME + "/agent-jvm.options", jvmOptions, 0644)
                .file(HOME + "/" + ClassArchive.FILE, classArchive, 0644)
                .file("/usr/bin/" + NAME, dist.resolve(NAME), 0755)
                .file("/usr/lib/systemd/system/" + NAME + ".service", dist.resolve(NAME + ".service"), 0644)
                // the registration's credential lives here: root only
                .dir(STATE, 0700);
        return new PackageContent(
                NAME,
                version,
                "Patchtide agent: patch scans and commands for this host",
                """
                The Patchtide agent reports this host's missing patches to a Patchtide server and runs
                the commands the server sends (AWS-RunPatchBaseline and more). It carries its own Java
                runtime, so it neither needs nor touches the host's Java packages.

                Installing it registers nothing: run 'patchtide-agent register' (or the server's
                enroll.sh), then 'systemctl enable --now patchtide-agent'.""",
                files.entries(),
                List.of());
    }

    static Map<String, Path> scripts(Path dir, String... names) {
        Map<String, Path> scripts = new LinkedHashMap<>();
        for (String name : names) {
            Path script = dir.resolve(name);
            if (!Files.isRegularFile(script)) {
                throw new IllegalArgumentException("missing package script " + script);
            }
            scripts.put(name, script);
        }
        return scripts;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return options;
    }

    static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    static Path existing(Map<String, String> options, String name) {
        Path path = Path.of(required(options, name));
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--" + name + ": " + path + " does not exist");
        }
        return path;
    }
}
