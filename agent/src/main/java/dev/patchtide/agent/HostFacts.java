package dev.patchtide.agent;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the agent tells the server about its host. */
public record HostFacts(
        String computerName,
        List<String> ipAddresses,
        String platformType,
        String platformName,
        String platformVersion) {

    /** The address SSM shows as the instance's {@code IPAddress}: the first IPv4 one if any. */
    public String primaryIpAddress() {
        return ipAddresses.isEmpty() ? "127.0.0.1" : ipAddresses.getFirst();
    }

    /** Reads this host's facts; {@code root} is "/" except in tests, which point it at a fixture tree. */
    public static HostFacts collect(Path root) {
        Map<String, String> os = osRelease(root);
        return new HostFacts(
                hostname(root),
                readIpAddresses(),
                detectPlatformType(),
                os.getOrDefault("NAME", System.getProperty("os.name")),
                os.getOrDefault("VERSION_ID", System.getProperty("os.version")));
    }

    public static Map<String, String> osRelease(Path root) {
        for (String candidate : List.of("etc/os-release", "usr/lib/os-release")) {
            Path file = root.resolve(candidate);
            if (Files.isReadable(file)) {
                try {
                    return parseOsRelease(Files.readAllLines(file));
                } catch (IOException e) {
                    // try the next location; os-release is optional on exotic hosts
                }
            }
        }
        return Map.of();
    }

    /** os-release is shell-style KEY=value with optional quotes (freedesktop.org's os-release(5)). */
    static Map<String, String> parseOsRelease(List<String> lines) {
        Map<String, String> values = new HashMap<>();
        for (String line : lines) {
            String trimmed = line.strip();
            int eq = trimmed.indexOf('=');
            if (trimmed.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = trimmed.substring(eq + 1);
            if (value.length() >= 2
                    && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1)
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\");
            }
            values.put(trimmed.substring(0, eq), value);
        }
        return values;
    }

    private static String hostname(Path root) {
        try {
            Path kernel = root.resolve("proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static List<String> readIpAddresses() {
        List<InetAddress> found = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isUp() && !nic.isLoopback()) {
                    nic.inetAddresses().filter(a -> !a.isLinkLocalAddress()).forEach(found::add);
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        // IPv4 first: it is what people expect to see as "the" address of a host.
        found.sort(Comparator.comparing((InetAddress a) -> a instanceof Inet4Address ? 0 : 1));
        return found.stream().map(HostFacts::text).distinct().toList();
    }

    private static String text(InetAddress address) {
        String host = address.getHostAddress();
        int scope = host.indexOf('%');
        return scope < 0 ? host : host.substring(0, scope);
    }

    private static String detectPlatformType() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return "Windows";
        }
        return os.contains("mac") ? "MacOS" : "Linux";
    }
}
