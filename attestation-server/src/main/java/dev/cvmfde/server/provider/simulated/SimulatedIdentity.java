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
 * mode 0600. {@link #export} writes the guest's private keys and the host's public anchor into
 * two different directories: the guest's go onto an image, the anchor never does, and no private
 * key ever lies beside an anchor. {@code toString()} never shows key material.
 */
public final class SimulatedIdentity {
    public static final Curve CURVE = Curve.P_384;
    /** Private CPAK (JWK, 0600). */
    public static final String CPAK_PRIVATE = "simulated-cpak.private.jwk";
    /** Public CPAK as PEM: the anchor for {@code attestation-client --simulated-anchor}. */
    public static final String CPAK_PUBLIC_PEM = "simulated-cpak.pub.pem";
    /** Public CPAK as JWK (the same key). */
    public static final String CPAK_PUBLIC_JWK = "simulated-cpak.pub.jwk";
    /** Private RAK (JWK, 0600). */
    public static final String RAK_PRIVATE = "simulated-rak.private.jwk";
    /** Public RAK (JWK), for inspection; the token carries it too. */
    public static final String RAK_PUBLIC_JWK = "simulated-rak.pub.jwk";
    /** What {@link #export} writes for the guest (its provider signs with them; may go onto an image). */
    public static final List<String> GUEST_FILES = List.of(CPAK_PRIVATE, RAK_PRIVATE, RAK_PUBLIC_JWK);
    /** What {@link #export} writes for the host: the public CPAK only, the anchor the verifier is given. */
    public static final List<String> ANCHOR_FILES = List.of(CPAK_PUBLIC_PEM, CPAK_PUBLIC_JWK);

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
     * Writes {@link #GUEST_FILES} into {@code guestDirectory} and {@link #ANCHOR_FILES} into
     * {@code anchorDirectory} (each created if missing; they must differ, so the anchor a host
     * pins never comes from the directory whose keys go onto an image); refuses to replace any
     * existing file, and writes each atomically (private ones mode 0600).
     */
    public void export(Path guestDirectory, Path anchorDirectory) throws KeyMaterialException {
        Path guest = guestDirectory.toAbsolutePath().normalize();
        Path anchor = anchorDirectory.toAbsolutePath().normalize();
        if (guest.equals(anchor)) {
            throw new KeyMaterialException("the guest's identity and the host's anchor must go to two directories; both "
                    + "are " + guest + " (the guest's private keys never lie beside the anchor)");
        }
        for (Path dir : List.of(guest, anchor)) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new KeyMaterialException("cannot create " + dir + ": " + e.getMessage(), e);
            }
        }
        for (Path f : List.of(guest.resolve(CPAK_PRIVATE), guest.resolve(RAK_PRIVATE), guest.resolve(RAK_PUBLIC_JWK),
                anchor.resolve(CPAK_PUBLIC_PEM), anchor.resolve(CPAK_PUBLIC_JWK))) {
            if (Files.exists(f)) {
                throw new KeyMaterialException(f + " exists; choose empty directories (an identity is never overwritten)");
            }
        }
        VerifierKeys.writePrivateJwk(cpak, guest.resolve(CPAK_PRIVATE));
        VerifierKeys.writePrivateJwk(rak, guest.resolve(RAK_PRIVATE));
        VerifierKeys.writePublicJwk(rak.toPublicJWK(), guest.resolve(RAK_PUBLIC_JWK));
        VerifierKeys.writePublicPem(cpak.toPublicJWK(), anchor.resolve(CPAK_PUBLIC_PEM));
        VerifierKeys.writePublicJwk(cpak.toPublicJWK(), anchor.resolve(CPAK_PUBLIC_JWK));
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
