package dev.cvmfde.client.verify.internal;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.client.verify.VerifierException;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.HashJsonException;
import java.util.List;
import java.util.Optional;

/**
 * BASELINE: with a pinned signer, the detached JWS over the exact hash.json bytes must verify
 * before the bytes are parsed. A missing or bad signature is a FAIL (the baseline is then not
 * used); no baseline or no signer names its {@link Insecure} waiver (refused unless given); a hash.json that does not parse is the operator's broken input, a {@link VerifierException}.
 * A host that appraises many guests against the same {@link ReferenceBaseline} object (immutable:
 * its bytes are copied in) pays for the signature check and the parse once: the last outcome is
 * kept with that object and replayed, checks included.
 */
public final class BaselineStage {
    /** The last successful outcome, for the {@link ReferenceBaseline} instance it was computed from. */
    private static volatile Memo last;

    private record Memo(ReferenceBaseline reference, List<Check> checks, Optional<Baseline> baseline) {
    }

    private BaselineStage() {
    }

    public static Optional<Baseline> check(Optional<ReferenceBaseline> reference, List<Check> out)
            throws VerifierException {
        Memo memo = last;
        if (reference.isPresent() && memo != null && memo.reference() == reference.get()) {
            out.addAll(memo.checks());
            return memo.baseline();
        }
        List<Check> checks = new java.util.ArrayList<>();
        Optional<Baseline> result = uncached(reference, checks);
        out.addAll(checks);
        if (reference.isPresent()) {
            last = new Memo(reference.get(), List.copyOf(checks), result);
        }
        return result;
    }

    private static Optional<Baseline> uncached(Optional<ReferenceBaseline> reference, List<Check> out)
            throws VerifierException {
        if (reference.isEmpty()) {
            out.add(Check.unchecked(Stage.BASELINE, "hash.json", Insecure.NO_BASELINE, "no baseline given (--baseline): "
                    + "boot components are not appraised"));
            return Optional.empty();
        }
        ReferenceBaseline ref = reference.get();
        byte[] bytes = ref.hashJson();
        if (ref.signer().isEmpty()) {
            out.add(Check.unchecked(Stage.BASELINE, "hash.json-signature", Insecure.UNSIGNED_BASELINE, "no baseline "
                    + "signer pinned (--baseline-signer): hash.json would be trusted as given"));
        } else if (!signature(bytes, ref.detachedJws(), ref.signer().get(), out)) {
            return Optional.empty();
        }
        try {
            return Optional.of(HashJson.parse(bytes));
        } catch (HashJsonException e) {
            throw new VerifierException("the baseline hash.json is not usable: " + e.getMessage(), e);
        }
    }

    private static boolean signature(byte[] bytes, Optional<String> jws, ECKey signer, List<Check> out) {
        String expected = "signed by baseline signer " + signer.getCurve() + " " + thumbprint(signer);
        if (jws.isEmpty()) {
            out.add(Check.fail(Stage.BASELINE, "hash.json-signature", expected, "no signature",
                    "a baseline signer is pinned but no hash.json" + BaselineSignature.FILE_SUFFIX + " was found"));
            return false;
        }
        BaselineSignature.Verification v = BaselineSignature.verify(bytes, jws.get(), signer);
        switch (v) {
            case BaselineSignature.Valid valid -> {
                out.add(Check.pass(Stage.BASELINE, "hash.json-signature", expected, valid.algorithm() + " valid over "
                        + bytes.length + " B"));
                return true;
            }
            case BaselineSignature.Invalid invalid -> {
                out.add(Check.fail(Stage.BASELINE, "hash.json-signature", expected, "invalid", invalid.reason()));
                return false;
            }
        }
    }

    private static String thumbprint(ECKey key) {
        try {
            return key.computeThumbprint().toString();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
