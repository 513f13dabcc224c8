package dev.cvmfde.client.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * An {@link Appraisal} as JSON for scripts:
 * <pre>{@code
 * {"verdict": "affirming" | "refused", "simulated": bool, "freshnessChecked": bool,
 *  "insecure": ["--insecure-no-rim", …], "failedStages": ["binding", …],
 *  "checks": [{"stage": "decode", "check": "token", "outcome": "pass|fail|skipped|flagged",
 *              "expected": "…", "actual": "…", "detail": "…", "insecure": "--insecure-no-rim" (only when
 *              skipped on request)}, …]}
 * }</pre>
 * Digests are in full lowercase hex. {@code simulated} and {@code freshnessChecked} are
 * {@code false} and {@code insecure} is empty for a refusal (nothing about refused evidence is vouched for).
 */
public final class AppraisalJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AppraisalJson() {
    }

    /** The JSON tree. */
    public static ObjectNode toTree(Appraisal appraisal) {
        ObjectNode root = MAPPER.createObjectNode();
        switch (appraisal) {
            case Affirming a -> root.put("verdict", "affirming").put("simulated", a.simulated())
                    .put("freshnessChecked", a.freshnessChecked());
            case Refused r -> root.put("verdict", "refused").put("simulated", false).put("freshnessChecked", false);
        }
        ArrayNode insecure = root.putArray("insecure");
        if (appraisal instanceof Affirming a) {
            a.insecure().forEach(i -> insecure.add(i.option()));
        }
        ArrayNode failed = root.putArray("failedStages");
        appraisal.failures().stream().map(c -> c.stage().label()).distinct().forEach(failed::add);
        ArrayNode checks = root.putArray("checks");
        for (Check c : appraisal.checks()) {
            ObjectNode o = checks.addObject().put("stage", c.stage().label()).put("check", c.name())
                    .put("outcome", c.outcome().name().toLowerCase(Locale.ROOT)).put("expected", c.expected())
                    .put("actual", c.actual()).put("detail", c.detail());
            c.waiver().ifPresent(w -> o.put("insecure", w.option()));
        }
        return root;
    }

    /** Pretty-printed JSON text, ending with a newline. */
    public static String toJson(Appraisal appraisal) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(appraisal)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a tree of strings failed", e);
        }
    }
}
