package dev.patchtide.bench.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic, Debian-like fleet: a catalogue of about 3,000 packages of which every host has the
 * same 1,300-package core plus ~200 of its own role's packages, and a set of pending updates (a third
 * of them from the security archive) that hosts have fallen behind on by different amounts — most a
 * little, a few a lot. Same seed, same fleet: runs are comparable.
 */
final class FleetModel {
    static final int CATALOGUE_SIZE = 3_000;
    static final int CORE_SIZE = 1_300;
    static final int ROLE_PACKAGES = 300;
    static final int MAX_UPDATES = 200;

    private static final String[] SECTIONS = {
        "libs",
        "admin",
        "net",
        "utils",
        "web",
        "python",
        "perl",
        "devel",
        "database",
        "kernel",
        "misc",
        "shells",
        "editors",
        "text",
        "interpreters",
        "httpd",
        "mail",
        "otherosfs"
    };
    private static final String[] PRIORITIES = {"required", "important", "standard", "optional", "extra"};
    private static final int[] PRIORITY_WEIGHTS = {3, 6, 10, 76, 5};
    private static final String[] ROLES = {"web", "db", "cache", "batch", "ci", "edge", "mq", "search"};

    /** One package of the catalogue, with the update pending for it (if any). */
    record Package(
            int id,
            String name,
            String arch,
            String installedVersion,
            String candidateVersion,
            String priority,
            String section,
            boolean hasUpdate,
            boolean security) {}

    /**
     * What a host reports: its OS, installed-package count and the updates it can take. {@code others}: the
     * installed packages beyond the shared core (catalogue ids in name order), kept compact because a
     * 100,000-host fleet holds every host in memory.
     */
    record Host(
            int index,
            String operatingSystem,
            String product,
            int installedCount,
            List<Package> updates,
            short[] others) {}

    private final long seed;
    private final List<Package> catalogue;
    /** rank[id]: the package's place in (name, arch) order, the order the agent lists its inventory in. */
    private final int[] rank;
    /** The core's catalogue ids in name order. */
    private final int[] coreByName;

    FleetModel(long seed) {
        this.seed = seed;
        this.catalogue = catalogue(seed);
        Integer[] order = new Integer[CATALOGUE_SIZE];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(
                order,
                java.util.Comparator.comparing((Integer i) -> catalogue.get(i).name())
                        .thenComparing(i -> catalogue.get(i).arch()));
        this.rank = new int[CATALOGUE_SIZE];
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        this.coreByName = java.util.stream.IntStream.range(0, CORE_SIZE)
                .boxed()
                .sorted(java.util.Comparator.comparingInt(i -> rank[i]))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    Package pkg(int id) {
        return catalogue.get(id);
    }

    /** Every package the host has installed, as catalogue ids in (name, arch) order. */
    int[] installedByName(Host host) {
        int[] out = new int[CORE_SIZE + host.others().length];
        int c = 0;
        int o = 0;
        for (int k = 0; k < out.length; k++) {
            boolean takeCore =
                    o >= host.others().length || (c < CORE_SIZE && rank[coreByName[c]] < rank[host.others()[o]]);
            out[k] = takeCore ? coreByName[c++] : host.others()[o++];
        }
        return out;
    }

    /**
     * When dpkg installed (or last upgraded) the package on this host, as the agent reads it (the mtime of
     * its .list file, whole seconds): the core and role packages when the host was provisioned, updates the
     * host has taken later. Different on every host, as on a real fleet, so no two inventories are alike.
     */
    long installedTime(Host host, Package p, boolean upgraded) {
        long provisioned = 1_700_000_000L - Math.floorMod(mix(seed, host.index(), -1), 2 * 365 * 86_400L);
        return upgraded
                ? provisioned + 86_400 + Math.floorMod(mix(seed, host.index(), p.id()), 300L * 86_400)
                : provisioned + p.id() % 900;
    }

    /** A well-mixed 64-bit value for (seed, a, b): deterministic choices without a random generator's state. */
    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String role(int roleIndex) {
        return ROLES[roleIndex % ROLES.length];
    }

    static int roles() {
        return ROLES.length;
    }

    Host host(int index) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
        boolean ubuntu = index % 5 == 4;
        int role = index % ROLES.length;
        // Staleness: most hosts are a few updates behind, a long tail is far behind (capped at 200).
        double u = r.nextDouble();
        int wanted = (int) Math.min(MAX_UPDATES, Math.floor(-Math.log(1 - u) * 34));
        List<Package> installed = installed(role, r);
        List<Package> pending = new ArrayList<>();
        for (Package p : installed) {
            if (p.hasUpdate()) {
                pending.add(p);
            }
        }
        // A host behind by k updates misses the k it would have taken last: a prefix of a host-specific order.
        for (int i = pending.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Package t = pending.get(i);
            pending.set(i, pending.get(j));
            pending.set(j, t);
        }
        List<Package> updates = List.copyOf(pending.subList(0, Math.min(wanted, pending.size())));
        int[] ids = installed.stream()
                .mapToInt(Package::id)
                .filter(id -> id >= CORE_SIZE)
                .boxed()
                .sorted(java.util.Comparator.comparingInt(id -> rank[id]))
                .mapToInt(Integer::intValue)
                .toArray();
        short[] others = new short[ids.length];
        for (int k = 0; k < ids.length; k++) {
            others[k] = (short) ids[k];
        }
        return new Host(
                index,
                ubuntu ? "UBUNTU" : "DEBIAN",
                ubuntu ? "Ubuntu22.04" : "Debian12",
                installed.size(),
                updates,
                others);
    }

    private List<Package> installed(int role, SplittableRandom r) {
        List<Package> out = new ArrayList<>(CORE_SIZE + ROLE_PACKAGES);
        out.addAll(catalogue.subList(0, CORE_SIZE));
        int span = (CATALOGUE_SIZE - CORE_SIZE) / ROLES.length;
        int from = CORE_SIZE + role * span;
        // Most of the role's packages, plus a few strays from anywhere.
        for (int i = 0; i < span && out.size() < CORE_SIZE + ROLE_PACKAGES - 20; i++) {
            if (r.nextInt(10) < 9) {
                out.add(catalogue.get(from + i));
            }
        }
        for (int i = 0; i < 20; i++) {
            out.add(catalogue.get(CORE_SIZE + r.nextInt(CATALOGUE_SIZE - CORE_SIZE)));
        }
        return out.stream().distinct().toList();
    }

    private static List<Package> catalogue(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Package> out = new ArrayList<>(CATALOGUE_SIZE);
        for (int i = 0; i < CATALOGUE_SIZE; i++) {
            String section = SECTIONS[r.nextInt(SECTIONS.length)];
            String name = (section.equals("libs") ? "lib" : "") + syllables(r) + (i % 7 == 0 ? "-common" : "") + i;
            String upstream = (1 + r.nextInt(9)) + "." + r.nextInt(30) + "." + r.nextInt(20);
            String installed = upstream + "-" + (1 + r.nextInt(4));
            // About 1 in 4 packages has an update pending somewhere in the fleet; 55% of those are security.
            boolean hasUpdate = r.nextInt(4) == 0;
            boolean security = hasUpdate && r.nextInt(100) < 55;
            String candidate = security ? installed + "+deb12u" + (1 + r.nextInt(3)) : upstream + "." + 1 + "-1";
            out.add(new Package(
                    i,
                    name,
                    r.nextInt(6) == 0 ? "all" : "amd64",
                    installed,
                    candidate,
                    weighted(PRIORITIES, PRIORITY_WEIGHTS, r),
                    section,
                    hasUpdate,
                    security));
        }
        return List.copyOf(out);
    }

    private static String syllables(SplittableRandom r) {
        String[] parts = {"ss", "ssl", "x", "gtk", "py", "perl", "net", "sys", "core", "util", "crypt", "z", "curl"};
        return parts[r.nextInt(parts.length)] + parts[r.nextInt(parts.length)];
    }

    private static String weighted(String[] values, int[] weights, SplittableRandom r) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int pick = r.nextInt(total);
        for (int i = 0; i < values.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }
}
