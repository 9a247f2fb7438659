package dev.patchtide.server.patching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.InstalledJudgement;
import dev.patchtide.core.patching.PatchState;
import dev.patchtide.core.patching.PatchStateVerdict;
import dev.patchtide.server.api.ApiJson;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * An instance's installed packages judged without its updates ({@link InstalledJudgement}), kept on its state
 * row with a key: the SHA-256 of everything that judgement is made from (the baseline's whole content, the
 * product, the inventory's hash, the reboot-pending facts, the failed packages). A changed report whose key is
 * the stored one judges only its update list; any other report judges from scratch and keeps the new part.
 * Keyed on content, not on versions or patch groups, so invalidation is exact: a baseline edit, a move to a
 * group with another baseline, a new inventory or new reboot facts change the key; nothing else can change
 * the judgement.
 */
final class KeptJudgement {
    private static final ObjectMapper JSON = ApiJson.mapper();

    /** Changed reports judged with a kept part, in this JVM: lets tests see which path a report took. */
    static final java.util.concurrent.atomic.LongAdder REUSED = new java.util.concurrent.atomic.LongAdder();

    private KeptJudgement() {}

    static String key(BaselineSpec spec, PatchEvaluation.LastScan scan, Optional<String> inventoryHash) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            text(out, inventoryHash.orElse(null));
            text(out, scan.product());
            out.writeBoolean(scan.rebootRequired());
            texts(out, scan.rebootRequiredPackages());
            texts(out, scan.failedPackages());
            text(out, spec.id());
            filters(out, spec.globalFilters());
            out.writeInt(spec.rules().size());
            for (BaselineSpec.Rule rule : spec.rules()) {
                filters(out, rule.filters());
                text(out, rule.complianceLevel());
                out.writeInt(rule.approveAfterDays().orElse(-1));
                text(out, rule.approveUntilDate().map(Object::toString).orElse(null));
                out.writeBoolean(rule.enableNonSecurity());
            }
            texts(out, spec.approvedPatches());
            text(out, spec.approvedPatchesComplianceLevel());
            out.writeBoolean(spec.approvedPatchesEnableNonSecurity());
            texts(out, spec.rejectedPatches());
            text(out, spec.rejectedPatchesAction().name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void filters(DataOutputStream out, List<BaselineSpec.Filter> filters) throws IOException {
        out.writeInt(filters.size());
        for (BaselineSpec.Filter f : filters) {
            text(out, f.key());
            texts(out, f.values());
        }
    }

    /** Length-prefixed (-1 for null), so no two different inputs run together into the same bytes. */
    private static void text(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void texts(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String v : values) {
            text(out, v);
        }
    }

    /** A small JSON document: counts, and the verdicts (usually none) as arrays. */
    static String write(InstalledJudgement j) {
        ObjectNode o = JSON.createObjectNode()
                .put("installed", j.installed())
                .put("installedOther", j.installedOther())
                .put("unreported", j.unreportedNotApplicable());
        verdicts(o.putArray("verdicts"), j.verdicts());
        verdicts(o.putArray("notApplicable"), j.notApplicable());
        return o.toString();
    }

    private static void verdicts(ArrayNode out, List<PatchStateVerdict> verdicts) {
        for (PatchStateVerdict v : verdicts) {
            ArrayNode a = out.addArray()
                    .add(v.state().name())
                    .add(v.title())
                    .add(v.kbId())
                    .add(v.classification())
                    .add(v.severity())
                    .add(v.complianceLevel())
                    .add(v.security());
            ArrayNode cves = a.addArray();
            v.cves().forEach(cves::add);
            a.add(v.installedTime().map(Instant::toString).orElse(null));
        }
    }

    static InstalledJudgement read(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            return new InstalledJudgement(
                    o.get("installed").asInt(),
                    o.get("installedOther").asInt(),
                    verdicts(o.get("verdicts")),
                    verdicts(o.get("notApplicable")),
                    o.get("unreported").asInt());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("kept installed judgement is unreadable", e);
        }
    }

    private static List<PatchStateVerdict> verdicts(JsonNode array) {
        List<PatchStateVerdict> out = new ArrayList<>(array.size());
        for (JsonNode a : array) {
            List<String> cves = new ArrayList<>();
            a.get(7).forEach(c -> cves.add(c.asText()));
            out.add(new PatchStateVerdict(
                    PatchState.valueOf(a.get(0).asText()),
                    a.get(1).asText(),
                    a.get(2).asText(),
                    a.get(3).asText(),
                    a.get(4).asText(),
                    a.get(5).asText(),
                    a.get(6).asBoolean(),
                    List.copyOf(cves),
                    a.get(8).isNull()
                            ? Optional.empty()
                            : Optional.of(Instant.parse(a.get(8).asText()))));
        }
        return out;
    }
}
