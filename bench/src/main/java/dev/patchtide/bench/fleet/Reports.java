package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Patchtide.PutPatchScanReport bodies, member for member and byte for byte as the agent's {@code PatchReport}
 * builds them and its Jackson mapper writes them, assembled from pre-serialised pieces: every catalogue
 * package's patch and inventory entry is written once, every host's fixed members once; a call only copies
 * bytes and splices in the round's times. {@code FleetSimulatorSmokeTest} checks the bytes against the
 * agent's way of writing the same report.
 */
final class Reports {
    private static final byte[] COMMA = {','};

    private final FleetModel model;
    private final ObjectMapper json;
    private final boolean installedCountOnly;
    /** [product: 0 Debian, 1 Ubuntu][catalogue id]: the patch object. */
    private final byte[][][] patches = new byte[2][][];
    /** [catalogue id * 2 + upgraded]: the inventory entry up to its InstalledTime's value. */
    private final byte[][] inventoryEntries;
    /** [catalogue id * 2 + upgraded]: the package's line of {@link Inventory#canonical} up to the time. */
    private final byte[][] canonicalLines;

    /** One round's scan times, written as the agent writes them (epoch seconds as a double). */
    record Times(byte[] start, byte[] end) {}

    /** What a host's report always says; extraPatches grows when a new advisory reaches the host. */
    static final class HostBody {
        final FleetModel.Host host;
        final String inventoryHash;
        final byte[] head;
        final byte[] middle;
        final byte[] tail;
        byte[] extraPatches = new byte[0];
        final java.util.BitSet advised = new java.util.BitSet();

        HostBody(FleetModel.Host host, String inventoryHash, byte[] head, byte[] middle, byte[] tail) {
            this.host = host;
            this.inventoryHash = inventoryHash;
            this.head = head;
            this.middle = middle;
            this.tail = tail;
        }

        int patchCount() {
            return host.updates().size() + advised.cardinality();
        }
    }

    Reports(FleetModel model, ObjectMapper json, boolean installedCountOnly) {
        this.model = model;
        this.json = json;
        this.installedCountOnly = installedCountOnly;
        String[] products = {"Debian12", "Ubuntu22.04"};
        for (int product = 0; product < 2; product++) {
            patches[product] = new byte[FleetModel.CATALOGUE_SIZE][];
            for (int id = 0; id < FleetModel.CATALOGUE_SIZE; id++) {
                FleetModel.Package p = model.pkg(id);
                if (p.hasUpdate()) {
                    patches[product][id] = write(
                            patch(p, p.installedVersion(), p.candidateVersion(), products[product], p.security()));
                }
            }
        }
        inventoryEntries = new byte[FleetModel.CATALOGUE_SIZE * 2][];
        canonicalLines = new byte[FleetModel.CATALOGUE_SIZE * 2][];
        for (int id = 0; id < FleetModel.CATALOGUE_SIZE; id++) {
            FleetModel.Package p = model.pkg(id);
            for (int upgraded = 0; upgraded < 2; upgraded++) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("Name", p.name());
                entry.put("Arch", p.arch());
                entry.put("Version", upgraded == 1 ? p.candidateVersion() : p.installedVersion());
                entry.put("InstalledTime", 0L);
                String text = new String(write(entry), StandardCharsets.UTF_8);
                inventoryEntries[id * 2 + upgraded] =
                        text.substring(0, text.length() - "0}".length()).getBytes(StandardCharsets.UTF_8);
                canonicalLines[id * 2 + upgraded] =
                        bytes(p.name() + "\t" + p.arch() + "\t" + entry.get("Version") + "\t");
            }
        }
    }

    /** The patch entry as PatchReport writes one for an apt update. */
    static Map<String, Object> patch(
            FleetModel.Package p, String installed, String available, String product, boolean security) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", p.name());
        m.put("Arch", p.arch());
        m.put("InstalledVersion", installed);
        m.put("AvailableVersion", available);
        m.put("Product", product);
        m.put("Classification", "");
        m.put("Severity", "");
        m.put(
                "Priority",
                Character.toUpperCase(p.priority().charAt(0)) + p.priority().substring(1));
        m.put("Section", p.section());
        m.put("Security", security);
        m.put("CVEIds", List.of());
        return m;
    }

    Times times(Instant start, Instant end) {
        return new Times(write(start.toEpochMilli() / 1000.0), write(end.toEpochMilli() / 1000.0));
    }

    /** Whether the package's update is one the host has taken already (so it runs the candidate version). */
    private static boolean upgraded(FleetModel.Host host, FleetModel.Package p, java.util.BitSet pending) {
        return p.hasUpdate() && !pending.get(p.id());
    }

    private static java.util.BitSet pending(FleetModel.Host host) {
        java.util.BitSet pending = new java.util.BitSet(FleetModel.CATALOGUE_SIZE);
        for (FleetModel.Package p : host.updates()) {
            pending.set(p.id());
        }
        return pending;
    }

    /** The host's installed packages as the agent's apt scanner returns them. */
    List<InstalledPackage> inventory(FleetModel.Host host) {
        java.util.BitSet pending = pending(host);
        int[] ids = model.installedByName(host);
        List<InstalledPackage> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            FleetModel.Package p = model.pkg(id);
            boolean up = upgraded(host, p, pending);
            out.add(new InstalledPackage(
                    p.name(),
                    p.arch(),
                    up ? p.candidateVersion() : p.installedVersion(),
                    Optional.of(Instant.ofEpochSecond(model.installedTime(host, p, up)))));
        }
        return out;
    }

    /**
     * The host's fixed members (computes its inventory hash as the agent does: core's {@link Inventory}),
     * once per host before the rounds.
     */
    HostBody prepare(String instanceId, FleetModel.Host host) {
        String hash = installedCountOnly
                ? ""
                : Inventory.sha256(new String(inventoryText(host, false), StandardCharsets.UTF_8));
        String head = "{\"InstanceId\":" + text(instanceId) + ",\"OperatingSystem\":" + text(host.operatingSystem())
                + ",\"OperationStartTime\":";
        String middle = installedCountOnly
                ? ",\"InstalledCount\":" + host.installedCount()
                : ",\"Product\":" + text(host.product()) + ",\"InstalledCount\":" + host.installedCount()
                        + ",\"InventoryHash\":" + text(hash);
        boolean reboot = host.index() % 17 == 0;
        String tail = ",\"RebootRequired\":" + reboot
                + (installedCountOnly ? "" : ",\"RebootRequiredPackages\":" + text(rebootPackages(host, reboot)));
        return new HostBody(host, hash, bytes(head), bytes(middle), bytes(tail));
    }

    /** What reboot-required.pkgs would list: the first update the host has taken (name order), if any. */
    private List<String> rebootPackages(FleetModel.Host host, boolean reboot) {
        if (!reboot) {
            return List.of();
        }
        java.util.BitSet pending = pending(host);
        for (int id : model.installedByName(host)) {
            FleetModel.Package p = model.pkg(id);
            if (upgraded(host, p, pending)) {
                return List.of(p.name());
            }
        }
        return List.of();
    }

    /**
     * The report body; with the full inventory when {@code withInventory} (and not in installed-count mode);
     * with {@code PatchesHash} in the place of the patch list when {@code patchesHash} is given (the agent's
     * report when its list is the one the server last accepted), else with {@code Patches}.
     */
    byte[] body(HostBody b, Times t, boolean withInventory, Optional<String> patchesHash) {
        FleetModel.Host host = b.host;
        byte[] inventory = withInventory && !installedCountOnly ? inventoryMember(host) : new byte[0];
        byte[][] fragments = patches[host.product().startsWith("Ubuntu") ? 1 : 0];
        List<FleetModel.Package> updates = patchesHash.isPresent() ? List.of() : host.updates();
        byte[] extraPatches = patchesHash.isPresent() ? new byte[0] : b.extraPatches;
        // The server's hash is 64 hex digits (ScanRounds keeps no other): no escaping to do.
        byte[] open = patchesHash.isPresent() ? hashMember(patchesHash.get()) : PATCHES_OPEN;
        byte[] close = patchesHash.isPresent() ? CLOSE_HASH : CLOSE;
        int n = b.head.length
                + t.start.length
                + END.length
                + t.end.length
                + b.middle.length
                + inventory.length
                + b.tail.length
                + open.length
                + extraPatches.length
                + close.length;
        for (FleetModel.Package p : updates) {
            n += fragments[p.id()].length;
        }
        n += updates.isEmpty() ? -Math.min(1, extraPatches.length) : updates.size() - 1;
        byte[] out = new byte[n];
        int at = put(out, 0, b.head);
        at = put(out, at, t.start);
        at = put(out, at, END);
        at = put(out, at, t.end);
        at = put(out, at, b.middle);
        at = put(out, at, inventory);
        at = put(out, at, b.tail);
        at = put(out, at, open);
        for (int i = 0; i < updates.size(); i++) {
            if (i > 0) {
                at = put(out, at, COMMA);
            }
            at = put(out, at, fragments[updates.get(i).id()]);
        }
        // extraPatches starts with a comma; without other patches, skip it.
        at = updates.isEmpty() && extraPatches.length > 0
                ? putFrom(out, at, extraPatches, 1)
                : put(out, at, extraPatches);
        put(out, at, close);
        return out;
    }

    private static final byte[] END = bytes(",\"OperationEndTime\":");
    private static final byte[] PATCHES_OPEN = bytes(",\"Patches\":[");
    private static final byte[] CLOSE = bytes("]}");
    private static final byte[] PATCHES_HASH_OPEN = bytes(",\"PatchesHash\":\"");
    private static final byte[] CLOSE_HASH = bytes("\"}");

    private static byte[] hashMember(String hash) {
        byte[] out = new byte[PATCHES_HASH_OPEN.length + hash.length()];
        int at = put(out, 0, PATCHES_HASH_OPEN);
        for (int i = 0; i < hash.length(); i++) {
            out[at + i] = (byte) hash.charAt(i);
        }
        return out;
    }

    private byte[] inventoryMember(FleetModel.Host host) {
        return inventoryText(host, true);
    }

    /**
     * The host's inventory as the report's {@code ,"Inventory":[…]} member ({@code json}), or as {@link
     * Inventory#canonical} text: the host's packages are kept in name order, which is the canonical order
     * (names are unique), so both are a copy of pre-written pieces and the install times' digits.
     */
    byte[] inventoryText(FleetModel.Host host, boolean json) {
        java.util.BitSet pending = pending(host);
        int[] ids = model.installedByName(host);
        byte[][] pieces = json ? inventoryEntries : canonicalLines;
        int[] piece = new int[ids.length];
        long[] times = new long[ids.length];
        int n = json ? INVENTORY_OPEN.length + 1 : 0;
        for (int k = 0; k < ids.length; k++) {
            FleetModel.Package p = model.pkg(ids[k]);
            boolean up = upgraded(host, p, pending);
            piece[k] = p.id() * 2 + (up ? 1 : 0);
            times[k] = model.installedTime(host, p, up);
            n += pieces[piece[k]].length + digits(times[k]) + 1 + (json && k > 0 ? 1 : 0);
        }
        byte[] out = new byte[n];
        int at = json ? put(out, 0, INVENTORY_OPEN) : 0;
        for (int k = 0; k < ids.length; k++) {
            if (json && k > 0) {
                out[at++] = ',';
            }
            at = put(out, at, pieces[piece[k]]);
            at = putDigits(out, at, times[k]);
            out[at++] = (byte) (json ? '}' : '\n');
        }
        if (json) {
            out[at] = ']';
        }
        return out;
    }

    private static final byte[] INVENTORY_OPEN = bytes(",\"Inventory\":[");

    private static int digits(long v) {
        int d = 1;
        for (long x = v; x >= 10; x /= 10) {
            d++;
        }
        return d;
    }

    /** A non-negative number's decimal digits, as Long.toString writes them. */
    private static int putDigits(byte[] out, int at, long v) {
        int end = at + digits(v);
        long x = v;
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + (x % 10));
            x /= 10;
        }
        return end;
    }

    /**
     * A new advisory reaches the host: one or two installed packages without a pending update get a security
     * candidate (chosen per seed, round and host). The inventory is unchanged; the scan is not.
     */
    void advise(HostBody b, long seed, int round) {
        FleetModel.Host host = b.host;
        int[] ids = model.installedByName(host);
        java.util.BitSet pending = pending(host);
        int wanted = 1 + (int) Math.floorMod(FleetModel.mix(seed, round, -host.index() - 1), 2L);
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        extra.writeBytes(b.extraPatches);
        for (int tries = 0; wanted > 0 && tries < 64; tries++) {
            int id = ids[
                    (int) Math.floorMod(FleetModel.mix(seed, round * 64L + tries, host.index()), (long) ids.length)];
            FleetModel.Package p = model.pkg(id);
            if (p.hasUpdate() || b.advised.get(id)) {
                continue;
            }
            b.advised.set(id);
            wanted--;
            String installed = upgraded(host, p, pending) ? p.candidateVersion() : p.installedVersion();
            extra.write(',');
            extra.writeBytes(write(patch(p, installed, installed + "+deb12u" + (50 + round), host.product(), true)));
        }
        b.extraPatches = extra.toByteArray();
    }

    /** Whether the host gets a new advisory in this round: a share of hosts, per seed and round. */
    static boolean changed(long seed, int round, int host, double share) {
        return round >= 2 && share > 0 && (FleetModel.mix(seed, round, host) >>> 11) * 0x1.0p-53 < share;
    }

    private static int put(byte[] out, int at, byte[] piece) {
        System.arraycopy(piece, 0, out, at, piece.length);
        return at + piece.length;
    }

    private static int putFrom(byte[] out, int at, byte[] piece, int from) {
        System.arraycopy(piece, from, out, at, piece.length - from);
        return at + piece.length - from;
    }

    private String text(Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
