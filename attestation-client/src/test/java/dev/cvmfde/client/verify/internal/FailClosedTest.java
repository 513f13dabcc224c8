package dev.cvmfde.client.verify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.Stage;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The last word on skipped checks: a skip nobody named refuses; beside another failure it stays a skip. */
class FailClosedTest {
    private static final Check PASS = Check.pass(Stage.DECODE, "token", "", "");

    @Test
    void apply_skipWithoutWaiverAndNothingFailed_refused() {
        List<Check> out = FailClosed.apply(List.of(PASS, Check.skipped(Stage.EVENT_LOG, "some-new-check", "not run")),
                Set.of());

        assertEquals(Check.Outcome.FAIL, out.get(1).outcome());
    }

    @Test
    void apply_waivedSkip_staysSkippedWithWaiver() {
        List<Check> out = FailClosed.apply(List.of(PASS, Check.unchecked(Stage.RIM, "rim", Insecure.NO_RIM, "none")),
                Set.of(Insecure.NO_RIM));

        assertEquals("SKIPPED (INSECURE: --insecure-no-rim)", out.get(1).verdict());
    }

    @Test
    void apply_otherWaiverGiven_refused() {
        List<Check> out = FailClosed.apply(List.of(PASS, Check.unchecked(Stage.RIM, "rim", Insecure.NO_RIM, "none")),
                Set.of(Insecure.NO_BASELINE));

        assertEquals(Check.Outcome.FAIL, out.get(1).outcome());
    }

    @Test
    void apply_unwaivedSkipBesideAFailure_plainSkipNamingWhatItNeeds() {
        List<Check> out = FailClosed.apply(List.of(Check.fail(Stage.BINDING, "rak-hash", "a", "b", "no"),
                Check.unchecked(Stage.BASELINE, "hash.json", Insecure.NO_BASELINE, "none")), Set.of());

        assertEquals("SKIPPED", out.get(1).verdict());
        assertEquals(true, out.get(1).detail().contains("--insecure-no-baseline"));
    }
}
