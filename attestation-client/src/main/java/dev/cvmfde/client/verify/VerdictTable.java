package dev.cvmfde.client.verify;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders an {@link Appraisal} for people: a verdict line, a loud banner for simulated evidence,
 * skipped freshness or any check skipped on request ({@code --insecure-…}), and one row per check (stage, check, expected, actual, verdict) with
 * the reason under every row that did not pass. Long digests are shortened to their first and
 * last characters ({@code 3fa81c02d4…9b0e17aa}); {@link AppraisalJson} has them in full.
 */
public final class VerdictTable {
    /** Column widths of stage, check, expected, actual. */
    private static final int[] WIDTHS = {18, 22, 26, 26};
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{25,}");
    private static final String SIMULATED_BANNER =
            "!!! SIMULATED TEE: this evidence is from a software simulator and proves nothing about confidentiality !!!";
    private static final String NO_FRESHNESS_BANNER =
            "!!! FRESHNESS NOT CHECKED (--insecure-no-freshness): this evidence may be replayed; do not release keys on it !!!";

    private VerdictTable() {
    }

    /** The whole table, ending with a newline. */
    public static String render(Appraisal appraisal) {
        StringBuilder sb = new StringBuilder();
        switch (appraisal) {
            case Affirming a -> {
                sb.append("VERDICT: AFFIRMING").append(a.kind() == Stage.Kind.TPM ? " (TPM 2.0 quote)"
                        : a.platformClaims().isEmpty() ? " (virtCCA cVM-only token)" : "")
                        .append('\n');
                if (a.simulated()) {
                    sb.append(SIMULATED_BANNER).append('\n');
                }
                if (!a.freshnessChecked()) {
                    sb.append(NO_FRESHNESS_BANNER).append('\n');
                }
                for (Insecure i : a.insecure()) {
                    if (i != Insecure.NO_FRESHNESS) {
                        sb.append("!!! INSECURE (").append(i.option()).append("): ")
                                .append(i.risk().toUpperCase(java.util.Locale.ROOT)).append(" !!!\n");
                    }
                }
            }
            case Refused r -> sb.append("VERDICT: REFUSED at ").append(String.join(", ",
                    r.failedStages().stream().map(Stage::label).toList())).append(" (").append(r.failures().size())
                    .append(r.failures().size() == 1 ? " failed check" : " failed checks").append(")\n");
        }
        row(sb, List.of("STAGE", "CHECK", "EXPECTED", "ACTUAL"), "VERDICT");
        for (Check c : appraisal.checks()) {
            row(sb, List.of(c.stage().label(), c.name(), shorten(c.expected()), shorten(c.actual())), c.verdict());
            if (c.outcome() != Check.Outcome.PASS && !c.detail().isEmpty()) {
                sb.append("    ").append(c.outcome() == Check.Outcome.FAIL ? "why: " : "note: ").append(shorten(c.detail()))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, List<String> cells, String verdict) {
        for (int i = 0; i < cells.size(); i++) {
            String cell = fit(cells.get(i), WIDTHS[i]);
            sb.append(cell).append(" ".repeat(WIDTHS[i] - cell.length() + 1));
        }
        sb.append(verdict).append('\n');
    }

    /** Digests longer than 24 hex characters become {@code first10…last8}. */
    static String shorten(String s) {
        return HEX.matcher(s).replaceAll(m -> m.group().substring(0, 10) + "…" + m.group().substring(m.group().length() - 8));
    }

    private static String fit(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
