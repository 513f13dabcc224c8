package dev.cvmfde.protocol.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** Test fixtures: published vector keys, fresh or seeded test key pairs and sample claims. */
final class TestKeys {

    private TestKeys() {
    }

    static byte[] resource(String name) {
        try (InputStream in = TestKeys.class.getResourceAsStream("/vectors/cca/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PublicKey jwk(String name) throws GeneralSecurityException {
        try {
            JsonNode j = new ObjectMapper().readTree(resource(name));
            String std = switch (j.get("crv").asText()) {
                case "P-256" -> "secp256r1";
                case "P-384" -> "secp384r1";
                default -> "secp521r1";
            };
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(std));
            Base64.Decoder d = Base64.getUrlDecoder();
            ECPoint w = new ECPoint(new BigInteger(1, d.decode(j.get("x").asText())),
                    new BigInteger(1, d.decode(j.get("y").asText())));
            return KeyFactory.getInstance("EC").generatePublic(
                    new ECPublicKeySpec(w, p.getParameterSpec(ECParameterSpec.class)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PublicKey pem(String name) throws GeneralSecurityException {
        String s = new String(resource(name), StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(s)));
    }

    static KeyPair ec(String curve) throws GeneralSecurityException {
        return ec(curve, new SecureRandom());
    }

    static KeyPair ec(String curve, SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve), random);
        return g.generateKeyPair();
    }

    static KeyPair rsa(int bits) throws GeneralSecurityException {
        return rsa(bits, new SecureRandom());
    }

    static KeyPair rsa(int bits, SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits, random);
        return g.generateKeyPair();
    }

    /**
     * A random source whose every output follows from {@code seed} and {@code purpose}: the SUN
     * provider's SHA1PRNG, seeded before its first use, never seeds itself from the system. For
     * reproducible test keys and signatures (the fuzz corpus); never for real keys.
     */
    static SecureRandom seeded(long seed, String purpose) throws GeneralSecurityException {
        SecureRandom r = SecureRandom.getInstance("SHA1PRNG", "SUN");
        byte[] label = purpose.getBytes(StandardCharsets.UTF_8);
        r.setSeed(ByteBuffer.allocate(Long.BYTES + label.length).putLong(seed).put(label).array());
        return r;
    }

    static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    static RealmClaims realmClaims(RealmAttestationKey rak, Optional<String> profile) {
        return new RealmClaims(profile, fill(64, 0xab), fill(64, 0x11), HashAlgorithm.SHA_256, rak,
                fill(32, 0x22), List.of(fill(32, 1), fill(32, 2), fill(32, 3), fill(32, 4)),
                HashAlgorithm.SHA_256);
    }

    static PlatformClaims platformClaims() {
        byte[] inst = fill(33, 2);
        inst[0] = 1;
        return new PlatformClaims("tag:arm.com,2023:cca_platform#1.0.0", fill(32, 0), fill(32, 7), inst,
                new byte[] {1, 2, 3}, 0x3000,
                List.of(new SoftwareComponent(Optional.of("BL"), fill(32, 3), Optional.of("1.0"), fill(32, 4),
                        Optional.of("sha-256")),
                        new SoftwareComponent(Optional.empty(), fill(48, 5), Optional.empty(), fill(32, 6),
                                Optional.empty())),
                Optional.of("https://veraison.example/v1/challenge-response"), "sha-256");
    }
}
