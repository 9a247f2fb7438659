package dev.patchtide.server.patching;

import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 digests of what a report's judgement depends on. {@link #of}: the scan (the patch list by its
 * {@link #patches} hash, reboot state, failures, product), the inventory (by hash) or reported count, the patch
 * group and OS, the baseline and the configuration version it was read at, and the day approval delays are
 * counted to. Equal hashes, equal judgements: an unchanged report is answered without judging. Fed field by
 * field, each length-prefixed (so no two different inputs run together into the same bytes), without building
 * the scan's JSON: most reports are unchanged, and for them this is the only work on the scan.
 */
final class OutcomeHash {
    /** The fields are laid out here and digested in one call: MessageDigest is slow fed a byte at a time. */
    private byte[] buffer = new byte[4096];

    private int length;

    private OutcomeHash() {}

    /**
     * Everything the judgement depends on but the patch list, plus {@code patchesHash} standing for the list
     * (see {@link #patches}).
     */
    static String of(PutPatchScanReportRequest q, String patchesHash, String group, BaselineCache.Resolved baseline) {
        return new OutcomeHash()
                .add(q.operatingSystem())
                .add(group)
                .add(baseline.baseline().id())
                .add(baseline.version())
                .add(q.operationEndTime().atOffset(ZoneOffset.UTC).toLocalDate().toString())
                .add(q.inventoryHash())
                .add(q.installedCount() == null ? -1 : q.installedCount())
                .add(q.product())
                .add(Boolean.TRUE.equals(q.rebootRequired()) ? 1 : 0)
                .add(q.rebootRequiredPackages())
                .add(q.failedPackages())
                .add(patchesHash)
                .hex();
    }

    /** The hash of a patch list, every member of every patch included: what {@code PatchesHash} names. */
    static String patches(List<ReportedPatch> patches) {
        OutcomeHash h = new OutcomeHash().add(patches.size());
        for (ReportedPatch p : patches) {
            h.add(p.name())
                    .add(p.arch())
                    .add(p.installedVersion())
                    .add(p.availableVersion())
                    .add(p.product())
                    .add(p.classification())
                    .add(p.severity())
                    .add(p.priority())
                    .add(p.section())
                    .add(p.security() == null ? -1 : p.security() ? 1 : 0)
                    .add(p.releaseDate())
                    .add(p.cveIds());
        }
        return h.hex();
    }

    private String hex() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(buffer, 0, length);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private OutcomeHash add(long n) {
        room(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[length++] = (byte) (n >>> shift);
        }
        return this;
    }

    private void room(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    /** A null string and an empty one differ: -1 for absent, else the length, then the bytes. */
    private OutcomeHash add(String s) {
        if (s == null) {
            return add(-1L);
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        add(bytes.length);
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
        return this;
    }

    private OutcomeHash add(List<String> values) {
        if (values == null) {
            return add(-1L);
        }
        add(values.size());
        values.forEach(this::add);
        return this;
    }
}
