package dev.cvmfde.client.verify.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the operator's policy requires beyond the evidence's own consistency: where the reference
 * RIM comes from ({@code --rim} or the signed hash.json's {@value #RIM_FIELD}), that hash.json pins
 * the kernel command line, and that hash.json's {@value #SIMULATED_FIELD} marker agrees with the
 * kind of trust anchor the operator gave.
 */
public final class PolicyStages {
    /** hash.json field: the reference realm initial measurement, hex (32, 48 or 64 bytes). */
    public static final String RIM_FIELD = "rim";
    /** hash.json field: {@code true} when the image was built for the simulated TEE. */
    public static final String SIMULATED_FIELD = "simulated";
    private static final HexFormat HEX = HexFormat.of();

    private PolicyStages() {
    }

    /**
     * The reference RIM: {@code --rim}, else the baseline's {@value #RIM_FIELD} (read only from a
     * baseline whose signature check passed or was waived). Both given and different, or a
     * malformed field: FAIL at RIM.
     */
    public static Optional<byte[]> referenceRim(Optional<byte[]> option, Optional<Baseline> baseline, List<Check> out) {
        JsonNode field = baseline.map(b -> b.extraFields().get(RIM_FIELD)).orElse(null);
        if (field == null) {
            return option;
        }
        Optional<byte[]> fromBaseline = parseRim(field);
        if (fromBaseline.isEmpty()) {
            out.add(Check.fail(Stage.RIM, "hash.json-rim", "hex of 32, 48 or 64 bytes", field.toString(),
                    "hash.json \"" + RIM_FIELD + "\" is not a RIM"));
            return option;
        }
        if (option.isPresent() && !MessageDigest.isEqual(option.get(), fromBaseline.get())) {
            out.add(Check.fail(Stage.RIM, "rim-source", HEX.formatHex(option.get()), HEX.formatHex(fromBaseline.get()),
                    "--rim and hash.json \"" + RIM_FIELD + "\" disagree; give one reference"));
        }
        return option.or(() -> fromBaseline);
    }

    private static Optional<byte[]> parseRim(JsonNode field) {
        if (!field.isTextual()) {
            return Optional.empty();
        }
        String hex = field.textValue();
        if (!hex.matches("[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")) {
            return Optional.empty();
        }
        return Optional.of(HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * BOOT_COMPONENTS: a baseline that does not pin the kernel command line (for every kernel)
     * cannot affirm unless {@link Insecure#NO_CMDLINE}: the stage's own "not pinned" skip is
     * replaced by one that names the waiver.
     */
    public static List<Check> requireCmdline(Baseline baseline, List<Check> stage) {
        if (cmdlinePinned(baseline)) {
            return stage;
        }
        List<Check> out = new ArrayList<>(stage);
        out.removeIf(c -> c.outcome() == Check.Outcome.SKIPPED && c.name().contains("cmdline"));
        out.add(Check.unchecked(Stage.BOOT_COMPONENTS, "kernel-cmdline", Insecure.NO_CMDLINE, "hash.json has no \""
                + BootComponentStage.CMDLINE_FIELD + "\": the kernel command line (rd.shell, init=, root=) is not pinned"));
        return out;
    }

    static boolean cmdlinePinned(Baseline b) {
        if (b.extraFields().containsKey(BootComponentStage.CMDLINE_FIELD)) {
            return true;
        }
        for (KernelEntry k : b.kernels()) {
            if (!k.extraFields().containsKey(BootComponentStage.CMDLINE_FIELD)) {
                return false;
            }
        }
        return true;
    }

    /**
     * POLICY: hash.json's {@value #SIMULATED_FIELD} (absent = false) must equal the kind of trust
     * anchor: an image built for the simulated TEE is never appraised against a real anchor, and
     * a real image's baseline never against the simulated one.
     */
    public static void baselineSimulated(Optional<Baseline> baseline, boolean simulatedAnchor, List<Check> out) {
        if (baseline.isEmpty()) {
            return;
        }
        JsonNode field = baseline.get().extraFields().get(SIMULATED_FIELD);
        String expected = simulatedAnchor ? "true (simulated anchor)" : "false or absent (real anchor)";
        if (field != null && !field.isBoolean()) {
            out.add(Check.fail(Stage.POLICY, "baseline-simulated", expected, field.toString(),
                    "hash.json \"" + SIMULATED_FIELD + "\" must be true or false"));
            return;
        }
        boolean simulatedImage = field != null && field.booleanValue();
        String actual = String.valueOf(simulatedImage);
        if (simulatedImage == simulatedAnchor) {
            out.add(Check.pass(Stage.POLICY, "baseline-simulated", expected, actual));
        } else {
            out.add(Check.fail(Stage.POLICY, "baseline-simulated", expected, actual, simulatedImage
                    ? "hash.json is of an image built for the SIMULATED TEE; refused against a real trust anchor"
                    : "hash.json is of an image built for a real TEE; refused against the simulated anchor"));
        }
    }
}
