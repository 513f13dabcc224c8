package dev.cvmfde.server.provider.simulated;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.release.VerifierKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Objects;

/**
 * The simulated TEE's two keys: the CPAK (platform attestation key, whose public half is the trust
 * anchor a host must be given explicitly) and the RAK (realm attestation key), both P-384. They are
 * generated at start or loaded from a directory that {@link #export} wrote; private files are
 * mode 0600. {@code toString()} never shows key material.
 */
public final class SimulatedIdentity {
    public static final Curve CURVE = Curve.P_384;
    /** Private CPAK (JWK, 0600). */
    public static final String CPAK_PRIVATE = "simulated-cpak.private.jwk";
    /** Public CPAK as PEM: the trust anchor for {@code attestation-client --trust-anchor … --allow-simulated}. */
    public static final String CPAK_PUBLIC_PEM = "simulated-cpak.pub.pem";
    /** Public CPAK as JWK (the same key). */
    public static final String CPAK_PUBLIC_JWK = "simulated-cpak.pub.jwk";
    /** Private RAK (JWK, 0600). */
    public static final String RAK_PRIVATE = "simulated-rak.private.jwk";
    /** Public RAK (JWK), for inspection; the token carries it too. */
    public static final String RAK_PUBLIC_JWK = "simulated-rak.pub.jwk";
    /** Every file {@link #export} writes. */
    public static final List<String> FILES = List.of(CPAK_PRIVATE, CPAK_PUBLIC_PEM, CPAK_PUBLIC_JWK, RAK_PRIVATE,
            RAK_PUBLIC_JWK);

    private final ECKey cpak;
    private final ECKey rak;

    private SimulatedIdentity(ECKey cpak, ECKey rak) {
        this.cpak = Objects.requireNonNull(cpak, "cpak");
        this.rak = Objects.requireNonNull(rak, "rak");
        if (!cpak.isPrivate() || !rak.isPrivate()) {
            throw new IllegalArgumentException("the simulated CPAK and RAK need their private parts");
        }
    }

    /** Fresh keys, in memory only. */
    public static SimulatedIdentity generate() {
        try {
            return new SimulatedIdentity(new ECKeyGenerator(CURVE).keyIDFromThumbprint(true).generate(),
                    new ECKeyGenerator(CURVE).keyIDFromThumbprint(true).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("EC key generation is not available", e);
        }
    }

    /** Reads the private CPAK and RAK from {@code directory} (files must not be group/other-readable). */
    public static SimulatedIdentity load(Path directory) throws KeyMaterialException {
        return new SimulatedIdentity(VerifierKeys.readSigningKey(directory.resolve(CPAK_PRIVATE)),
                VerifierKeys.readSigningKey(directory.resolve(RAK_PRIVATE)));
    }

    /**
     * Writes {@link #FILES} into {@code directory} (created if missing); refuses to replace any
     * existing file, and writes each atomically (private ones mode 0600).
     */
    public void export(Path directory) throws KeyMaterialException {
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new KeyMaterialException("cannot create " + directory + ": " + e.getMessage(), e);
        }
        for (String name : FILES) {
            if (Files.exists(directory.resolve(name))) {
                throw new KeyMaterialException(directory.resolve(name) + " exists; choose an empty directory"
                        + " (an identity is never overwritten)");
            }
        }
        VerifierKeys.writePrivateJwk(cpak, directory.resolve(CPAK_PRIVATE));
        VerifierKeys.writePrivateJwk(rak, directory.resolve(RAK_PRIVATE));
        VerifierKeys.writePublicPem(cpak.toPublicJWK(), directory.resolve(CPAK_PUBLIC_PEM));
        VerifierKeys.writePublicJwk(cpak.toPublicJWK(), directory.resolve(CPAK_PUBLIC_JWK));
        VerifierKeys.writePublicJwk(rak.toPublicJWK(), directory.resolve(RAK_PUBLIC_JWK));
    }

    /** The trust anchor (public CPAK). */
    public ECKey cpakPublic() {
        return cpak.toPublicJWK();
    }

    public ECKey rakPublic() {
        return rak.toPublicJWK();
    }

    KeyPair cpakKeyPair() {
        return keyPair(cpak);
    }

    KeyPair rakKeyPair() {
        return keyPair(rak);
    }

    /** RFC 7638 thumbprint of the public CPAK: how logs name this identity. */
    public String cpakThumbprint() {
        try {
            return cpak.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static KeyPair keyPair(ECKey key) {
        try {
            return key.toKeyPair();
        } catch (JOSEException e) {
            throw new IllegalStateException("EC key conversion failed", e);
        }
    }

    @Override
    public String toString() {
        return "SimulatedIdentity[CPAK " + cpakThumbprint() + ", keys redacted]";
    }
}
