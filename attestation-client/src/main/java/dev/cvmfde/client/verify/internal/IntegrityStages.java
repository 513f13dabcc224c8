package dev.cvmfde.client.verify.internal;

import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.cose.CoseVerification;
import dev.cvmfde.protocol.token.CcaTokenDecoder;
import dev.cvmfde.protocol.token.PlatformClaims;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.token.UnverifiedCcaToken;
import dev.cvmfde.protocol.token.UnverifiedPlatformToken;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The stages that establish integrity: decode, platform signature (against the trust anchor),
 * realm signature (with the RAK; for virtCCA cVM-only tokens with the AIK) and binding
 * (platform challenge = H(RAK claim bytes); cVM-only: AIK = RAK). Each adds its checks to the
 * list and returns whether it passed.
 */
public final class IntegrityStages {
    private static final HexFormat HEX = HexFormat.of();

    private IntegrityStages() {
    }

    /** DECODE: the token, or empty (with a FAIL check naming where the decode failed). */
    public static Optional<UnverifiedCcaToken> decode(byte[] token, List<Check> out) {
        try {
            UnverifiedCcaToken t = CcaTokenDecoder.decode(token);
            out.add(Check.pass(Stage.DECODE, "token", "tag 399/907 CCA token collection",
                    t.form() + (t.platform().isEmpty() ? ", cVM only" : ", platform + realm") + ", realm payload "
                            + t.realm().payloadForm() + ", " + token.length + " B"));
            return Optional.of(t);
        } catch (TokenDecodeException e) {
            out.add(Check.fail(Stage.DECODE, "token", "a well-formed CCA token collection",
                    e.failure() + " at " + e.where(), e.getMessage()));
            return Optional.empty();
        }
    }

    /** PLATFORM_SIGNATURE: the anchor (chain validation) and, when there is one, the platform token. */
    public static boolean platform(UnverifiedCcaToken token, TrustAnchor anchor, Instant at, List<Check> out) {
        boolean ok = anchor(anchor, at, out);
        Optional<UnverifiedPlatformToken> platform = token.platform();
        if (platform.isEmpty()) {
            // not a skipped check: this form has no platform token; the anchor (the device AIK) must
            // sign the cVM token instead, which REALM_SIGNATURE and BINDING check
            out.add(Check.pass(Stage.PLATFORM_SIGNATURE, "platform-signature",
                    "cVM-only token (virtCCA): no platform token; the AIK signs the cVM token", "no platform token"));
            return ok;
        }
        // The only use of VerifiedPlatformTokens: it may stand in for this one ECDSA verify; every
        // other check, including the anchor's chain validation above, runs on every appraisal.
        CoseSign1 envelope = platform.get().envelope();
        VerifiedPlatformTokens.Result r = VerifiedPlatformTokens.SHARED.verify(envelope, anchor.signingKey());
        return record(Stage.PLATFORM_SIGNATURE, "platform-signature", envelope, r.verification(),
                "trust anchor " + TrustAnchorLoader.fingerprint(anchor.signingKey()),
                r.cached() ? " (cached: these exact signed bytes were verified earlier under this anchor key)" : "", out)
                && ok;
    }

    /** REALM_SIGNATURE: the realm token with the RAK of claim 44237, or the cVM token with the AIK. */
    public static boolean realm(UnverifiedCcaToken token, TrustAnchor anchor, List<Check> out) {
        CoseSign1 envelope = token.realm().envelope();
        if (token.platform().isEmpty()) {
            return signature(Stage.REALM_SIGNATURE, "cvm-signature", envelope,
                    anchor.signingKey(),
                    "device AIK (trust anchor) " + TrustAnchorLoader.fingerprint(anchor.signingKey()), out);
        }
        PublicKey rak = token.realm().unverifiedClaims().rak().publicKey();
        return signature(Stage.REALM_SIGNATURE, "realm-signature", envelope, rak,
                "RAK from claim 44237 " + TrustAnchorLoader.fingerprint(rak), out);
    }

    /** BINDING: the platform challenge is H_44240(RAK claim bytes); cVM-only: the AIK is the RAK. */
    public static boolean binding(UnverifiedCcaToken token, TrustAnchor anchor, List<Check> out) {
        RealmClaims realm = token.realm().unverifiedClaims();
        if (token.platform().isEmpty()) {
            PublicKey aik = anchor.signingKey();
            PublicKey rak = realm.rak().publicKey();
            boolean same = MessageDigest.isEqual(aik.getEncoded(), rak.getEncoded());
            out.add(same ? Check.pass(Stage.BINDING, "aik-equals-rak", TrustAnchorLoader.fingerprint(aik),
                    TrustAnchorLoader.fingerprint(rak))
                    : Check.fail(Stage.BINDING, "aik-equals-rak", TrustAnchorLoader.fingerprint(aik),
                            TrustAnchorLoader.fingerprint(rak), "the RAK in claim 44237 is not the device AIK that "
                                    + "signed the cVM token"));
            return same;
        }
        PlatformClaims platform = token.platform().get().unverifiedClaims();
        byte[] expected = realm.rakHashAlgorithm().digest(realm.rakClaimBytes());
        byte[] actual = platform.challenge();
        boolean bound = MessageDigest.isEqual(expected, actual);
        String name = "rak-hash (" + realm.rakHashAlgorithm().claimName() + ")";
        out.add(bound ? Check.pass(Stage.BINDING, name, HEX.formatHex(expected), HEX.formatHex(actual))
                : Check.fail(Stage.BINDING, name, HEX.formatHex(expected), HEX.formatHex(actual),
                        "platform challenge does not equal " + realm.rakHashAlgorithm().claimName()
                                + "(RAK claim 44237): the realm token is not bound to this platform"));
        return bound;
    }

    private static boolean signature(Stage stage, String name, CoseSign1 envelope, PublicKey key, String keyName,
            List<Check> out) {
        CoseVerification v = envelope.verify(EcdsaProvider.forVerification(key), EcdsaProvider.INSTANCE);
        return record(stage, name, envelope, v, keyName, "", out);
    }

    private static boolean record(Stage stage, String name, CoseSign1 envelope, CoseVerification v, String keyName,
            String note, List<Check> out) {
        switch (v) {
            case CoseVerification.Valid valid -> {
                out.add(Check.pass(stage, name, "signed by " + keyName, valid.algorithm() + " " + valid.encoding() + note));
                return true;
            }
            case CoseVerification.Invalid invalid -> {
                out.add(Check.fail(stage, name, "signed by " + keyName, envelope.algorithm() + " signature invalid",
                        invalid.reason()));
                return false;
            }
        }
    }

    private static boolean anchor(TrustAnchor anchor, Instant at, List<Check> out) {
        switch (anchor) {
            case TrustAnchor.Key k -> {
                out.add(Check.pass(Stage.PLATFORM_SIGNATURE, "trust-anchor", "a pinned key", k.describe()));
                return true;
            }
            case TrustAnchor.TpmEkRoot t -> {
                out.add(Check.fail(Stage.PLATFORM_SIGNATURE, "trust-anchor", "a CCA platform anchor (--trust-anchor)",
                        t.describe(), "a TPM EK root verifies TPM evidence only; this evidence is a CCA token"));
                return false;
            }
            case TrustAnchor.CertificateChain c -> {
                Optional<String> problem = validate(c, at);
                String expected = "chain validates to root " + c.root().getSubjectX500Principal() + " at " + at;
                out.add(problem.isEmpty()
                        ? Check.pass(Stage.PLATFORM_SIGNATURE, "trust-anchor", expected, c.describe())
                        : Check.fail(Stage.PLATFORM_SIGNATURE, "trust-anchor", expected, c.describe(), problem.get()));
                return problem.isEmpty();
            }
        }
    }

    /** PKIX path validation (no revocation: CCA/virtCCA device chains carry no CRL or OCSP pointers). */
    static Optional<String> validate(TrustAnchor.CertificateChain c, Instant at) {
        Date date = Date.from(at);
        List<X509Certificate> path = new ArrayList<>(c.chain());
        while (!path.isEmpty() && path.getLast().equals(c.root())) {
            path.removeLast();
        }
        try {
            c.root().checkValidity(date);
        } catch (GeneralSecurityException e) {
            return Optional.of("root " + c.root().getSubjectX500Principal() + " is not valid at " + at + ": "
                    + e.getMessage());
        }
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            PKIXParameters p = new PKIXParameters(Set.of(new java.security.cert.TrustAnchor(c.root(), null)));
            p.setRevocationEnabled(false);
            p.setDate(date);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
            return Optional.empty();
        } catch (java.security.cert.CertPathValidatorException e) {
            return Optional.of("path validation failed" + (e.getIndex() >= 0 ? " at certificate " + e.getIndex() : "")
                    + " (" + e.getReason() + "): " + e.getMessage());
        } catch (GeneralSecurityException e) {
            return Optional.of("path validation failed: " + e.getMessage());
        }
    }
}
