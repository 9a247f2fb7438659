package dev.patchtide.packaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The agent's own Java runtime: the modules {@code jdeps} finds the jar needs, linked with {@code jlink} from
 * the JDK that runs the build (its jmods, or on JDK 24+ without them its own linkable runtime).
 */
final class RuntimeImage {
    /** Reached only through a service (elliptic-curve TLS, its own module before JDK 22): jdeps cannot see it. */
    private static final List<String> ALWAYS = List.of("jdk.crypto.ec");

    private RuntimeImage() {}

    /** The modules the jar needs, plus those in {@link #ALWAYS} this JDK has. */
    static List<String> modulesFor(Path jar) {
        return modulesFor(List.of(jar), List.of());
    }

    /**
     * The modules {@code jars} need, plus {@link #ALWAYS} and {@code extra}:
     * modules reached only by reflection or a service, which jdeps cannot see. Those this JDK lacks are left out.
     */
    static List<String> modulesFor(List<Path> jars, List<String> extra) {
        List<String> args =
                new ArrayList<>(List.of("--ignore-missing-deps", "--multi-release", "21", "--print-module-deps"));
        jars.forEach(j -> args.add(j.toString()));
        String out = run(tool("jdeps"), args.toArray(String[]::new));
        // The list is the last line; jdeps may warn before it (split packages among the libraries).
        List<String> lines = out.strip().lines().toList();
        String last = lines.isEmpty() ? "" : lines.getLast();
        TreeSet<String> modules = new TreeSet<>(Arrays.asList(last.split(",")));
        modules.removeIf(String::isBlank);
        ModuleFinder system = ModuleFinder.ofSystem();
        Stream.concat(ALWAYS.stream(), extra.stream())
                .filter(m -> system.find(m).isPresent())
                .forEach(modules::add);
        if (!modules.contains("java.base")) {
            modules.add("java.base");
        }
        return List.copyOf(modules);
    }

    /** Links {@code modules} into {@code output} (replaced if present); a small image, no headers or man pages. */
    static void link(List<String> modules, Path output) throws IOException {
        deleteTree(output);
        Files.createDirectories(output.getParent());
        run(
                tool("jlink"),
                "--add-modules",
                String.join(",", modules),
                "--strip-debug",
                "--no-header-files",
                "--no-man-pages",
                "--compress=zip-6",
                "--output",
                output.toString());
    }

    private static ToolProvider tool(String name) {
        return ToolProvider.findFirst(name)
                .orElseThrow(() -> new IllegalStateException("the JDK running this build ("
                        + System.getProperty("java.home")
                        + ") has no " + name + ": build the agent packages with a full JDK 21 or newer (one with"
                        + " jmods, or JDK 24+ with a linkable runtime), e.g. Temurin"));
    }

    private static String run(ToolProvider tool, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = tool.run(o, e, args);
        }
        String output = out.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            throw new IllegalStateException(tool.name() + " failed (exit " + code + ") with " + List.of(args) + ":\n"
                    + output + err.toString(StandardCharsets.UTF_8)
                    + (tool.name().equals("jlink")
                            ? "\n(jlink needs the JDK's jmods, or on JDK 24+ a runtime built with a linkable image)"
                            : ""));
        }
        return output;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(paths::add);
        }
        for (int i = paths.size() - 1; i >= 0; i--) {
            Files.delete(paths.get(i));
        }
    }
}
