package dev.cvmfde.client.verify;

import java.util.List;

/**
 * The verifier's verdict on one piece of evidence: {@link Affirming} (every check passed) or
 * {@link Refused} (with every failed check). Bad evidence is always one of these, never an
 * exception. Only {@link Verifier} makes either, so code that needs verified evidence (key
 * release) takes an {@link Affirming} and cannot be handed anything else.
 */
public sealed interface Appraisal permits Affirming, Refused {

    /** Every check made, in stage order, including SKIPPED ones with their reason. */
    List<Check> checks();

    /** The failed checks (empty for {@link Affirming}). */
    default List<Check> failures() {
        return checks().stream().filter(Check::failed).toList();
    }
}
