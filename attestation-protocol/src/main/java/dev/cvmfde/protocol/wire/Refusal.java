package dev.cvmfde.protocol.wire;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Verifier → guest: no key, and the verification stages that failed (at least one, each once, in
 * the verifier's order). Only the names: whoever answers at the guest's address may be the host,
 * so what was expected (reference digests, the command line, the RIM) stays in the verifier's
 * verdict table. A stage name is lowercase letters and hyphens ({@code boot-components}): no digits,
 * so no digest can ride along in one.
 */
public record Refusal(List<String> stages) implements Message {
    private static final Pattern STAGE = Pattern.compile("[a-z]+(-[a-z]+)*");

    public Refusal {
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("a refusal names at least one failed stage");
        }
        if (stages.size() > WireLimits.MAX_REFUSED_STAGES) {
            throw new IllegalArgumentException("refusal names " + stages.size() + " stages; at most "
                    + WireLimits.MAX_REFUSED_STAGES + " are allowed");
        }
        for (String stage : stages) {
            checkStage(stage);
        }
        if (new LinkedHashSet<>(stages).size() != stages.size()) {
            throw new IllegalArgumentException("refusal names a stage twice: " + stages);
        }
        stages = List.copyOf(stages);
    }

    /** A refusal of the distinct stages of {@code failedStages}, first occurrence first. */
    public static Refusal of(List<String> failedStages) {
        return new Refusal(List.copyOf(new LinkedHashSet<>(failedStages)));
    }

    private static void checkStage(String stage) {
        Text.check(stage, "refused stage", WireLimits.MAX_STAGE_CHARS, false);
        if (!STAGE.matcher(stage).matches()) {
            throw new IllegalArgumentException("a refused stage is lowercase letters and single hyphens"
                    + " (e.g. boot-components); got a name of " + stage.length() + " characters that is not");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.REFUSAL;
    }
}
