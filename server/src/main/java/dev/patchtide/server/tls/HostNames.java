package dev.patchtide.server.tls;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The names and addresses a server certificate is made for: every way a client may reach this host. */
public final class HostNames {
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

    private HostNames() {}

    /**
     * This host's names and interface addresses, the loopback ones, the bind address (unless it is a wildcard)
     * and the host of the public URL, normalised ({@link #normalise}).
     */
    public static SortedSet<String> ofThisHost(String bindAddress, Optional<URI> publicUrl) {
        SortedSet<String> names = new TreeSet<>();
        names.add("localhost");
        names.add(normalise("127.0.0.1"));
        names.add(normalise("::1"));
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(normalise(local.getHostName()));
            names.add(normalise(local.getCanonicalHostName()));
        } catch (UnknownHostException e) {
            // A host whose own name does not resolve is still reached by its addresses.
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    // Link-local addresses need a zone to be used at all: no client names a server by one.
                    if (!address.isLinkLocalAddress()) {
                        names.add(normalise(address.getHostAddress()));
                    }
                }
            }
        } catch (SocketException e) {
            // Without the interface list the names above still cover local use.
        }
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
            names.add(normalise(bindAddress));
        }
        publicUrl.map(URI::getHost).map(HostNames::normalise).ifPresent(names::add);
        return Collections.unmodifiableSortedSet(names);
    }

    /**
     * One spelling per name: lower case for DNS names, the JDK's full form for IP addresses (as
     * {@code getSubjectAlternativeNames} reports them), no IPv6 brackets or zone.
     */
    public static String normalise(String name) {
        String plain = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        int zone = plain.indexOf('%');
        if (zone >= 0) {
            plain = plain.substring(0, zone);
        }
        if (isAddress(plain)) {
            try {
                return InetAddress.getByName(plain).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + name);
            }
        }
        return plain.toLowerCase(java.util.Locale.ROOT);
    }

    /** A literal IPv4 or IPv6 address (resolving it asks no DNS server). */
    static boolean isAddress(String name) {
        return IPV4.matcher(name).matches() || name.contains(":");
    }
}
