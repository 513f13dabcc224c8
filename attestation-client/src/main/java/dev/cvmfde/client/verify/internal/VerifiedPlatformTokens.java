package dev.cvmfde.client.verify.internal;

import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.cose.CoseVerification;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, thread-safe memory of platform tokens whose signature has already been checked.
 *
 * <p>In Arm CCA the platform token is the same for every attestation of one realm (its challenge
 * is H(RAK)), so a verifier that has checked these exact signed bytes under this exact trust
 * anchor key need not redo the ECDSA verify. An entry is keyed by SHA-384 over (a domain label,
 * the anchor key's algorithm and SubjectPublicKeyInfo encoding, the complete COSE_Sign1 bytes as
 * received), each length-prefixed — never by claims. Only valid signatures are remembered.
 *
 * <p>A hit replaces exactly one thing: the ECDSA verify of the platform COSE_Sign1. The claims
 * are still decoded from the token every time, and every other check (trust-anchor chain
 * validation, the realm signature, binding, freshness, RIM, event log, baseline, policy) still
 * runs on every appraisal; the verdict table says {@code cached} on the platform-signature line.
 * At most {@link #MAX_ENTRIES} entries, least recently used first out.
 */
public final class VerifiedPlatformTokens {
    /** The bound of the verifier's shared memory. */
    public static final int MAX_ENTRIES = 1024;

    /** The instance {@link IntegrityStages} uses. */
    static final VerifiedPlatformTokens SHARED = new VerifiedPlatformTokens(MAX_ENTRIES);

    private static final byte[] DOMAIN = "cvm-fde verified platform token v1".getBytes(StandardCharsets.US_ASCII);

    private final int capacity;
    private final Map<Digest, CoseVerification.Valid> entries;

    /** An empty memory of at most {@code capacity} entries. */
    VerifiedPlatformTokens(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, CoseVerification.Valid> eldest) {
                return size() > VerifiedPlatformTokens.this.capacity;
            }
        };
    }

    /** The result of {@link #verify}: the signature check, and whether it came from memory. */
    public record Result(CoseVerification verification, boolean cached) {
    }

    /**
     * Checks {@code envelope}'s signature with {@code anchorKey}: from memory if these exact bytes
     * were verified under this exact key before, else with {@link EcdsaProvider} (and remembered
     * if valid).
     */
    public Result verify(CoseSign1 envelope, PublicKey anchorKey) {
        byte[] spki = anchorKey.getEncoded();
        if (spki == null) {
            // No encoding, no identity: never remembered.
            return new Result(envelope.verify(EcdsaProvider.forVerification(anchorKey), EcdsaProvider.INSTANCE), false);
        }
        Digest id = digest(anchorKey.getAlgorithm(), spki, envelope.encoded());
        synchronized (entries) {
            CoseVerification.Valid hit = entries.get(id);
            if (hit != null) {
                return new Result(hit, true);
            }
        }
        CoseVerification v = envelope.verify(EcdsaProvider.forVerification(anchorKey), EcdsaProvider.INSTANCE);
        if (v instanceof CoseVerification.Valid valid) {
            synchronized (entries) {
                entries.put(id, valid);
            }
        }
        return new Result(v, false);
    }

    /** Entries held now. */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** The bound. */
    int capacity() {
        return capacity;
    }

    private static Digest digest(String algorithm, byte[] spki, byte[] coseSign1) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-384");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-384 is required of every Java platform", e);
        }
        lengthPrefixed(md, DOMAIN);
        lengthPrefixed(md, algorithm.getBytes(StandardCharsets.UTF_8));
        lengthPrefixed(md, spki);
        lengthPrefixed(md, coseSign1);
        return new Digest(md.digest());
    }

    private static void lengthPrefixed(MessageDigest md, byte[] b) {
        md.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8),
                (byte) b.length});
        md.update(b);
    }

    /** A SHA-384 cache key (of public data). */
    private record Digest(byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && Arrays.equals(value, d.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Digest[" + value.length + " B]";
        }
    }
}
