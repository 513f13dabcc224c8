package dev.cvmfde.client.store;

import com.fasterxml.jackson.databind.node.TextNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real inputs for store tests: a baseline-signing key (the image builder's), hash.json files for
 * a named kernel signed by it (as image-builder writes them, {@code .jws} beside), random disk
 * keys and a root key file. Nothing here is faked; the key bytes are test keys.
 */
final class StoreFixture {
    static final SecureRandom RANDOM = new SecureRandom();

    final ECKey builderKey;
    final ECKey otherKey;

    StoreFixture() throws Exception {
        builderKey = new ECKeyGenerator(Curve.P_256).generate();
        otherKey = new ECKeyGenerator(Curve.P_256).generate();
    }

    /** hash.json for a boot chain whose kernel is {@code kernel} (so two names give two baselines). */
    static byte[] hashJson(String kernel) {
        KernelEntry k = new KernelEntry(Optional.empty(), sha256(kernel), sha256("initramfs"), Map.of());
        return HashJson.toBytes(new Baseline(DigestAlgorithm.SHA256, sha256("grubaa64.efi"), sha256("grub.cfg"),
                List.of(k), Baseline.Form.FLAT, Map.of("cmdline", TextNode.valueOf("root=/dev/mapper/encroot ro"))));
    }

    static Digest sha256(String s) {
        return Digest.of(DigestAlgorithm.SHA256, s.getBytes(StandardCharsets.UTF_8));
    }

    SignedBaseline baseline(String kernel) throws Exception {
        byte[] json = hashJson(kernel);
        return new SignedBaseline(json, BaselineSignature.sign(json, builderKey), builderKey.toPublicJWK());
    }

    /** Signed by a key that is not the one named as signer. */
    SignedBaseline baselineSignedByOther(String kernel) throws Exception {
        byte[] json = hashJson(kernel);
        return new SignedBaseline(json, BaselineSignature.sign(json, otherKey), builderKey.toPublicJWK());
    }

    /** The builder's signature over {@code kernel}'s hash.json, on bytes edited afterwards. */
    SignedBaseline editedAfterSigning(String kernel) throws Exception {
        byte[] json = hashJson(kernel);
        String jws = BaselineSignature.sign(json, builderKey);
        return new SignedBaseline(hashJson(kernel + " (edited)"), jws, builderKey.toPublicJWK());
    }

    /** 32 random bytes, the first byte 0 so the raw form is certain. */
    static byte[] randomKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        k[0] = 0;
        return k;
    }

    static SecretBytes secret(byte[] key) {
        return SecretBytes.copyOf(key);
    }

    /** A new root key file (mode 0600) in {@code dir}. */
    static Path rootKeyFile(Path dir, String name) throws Exception {
        Path f = dir.resolve(name);
        RootKeys.generateFile(f);
        return f;
    }

    /** Writes hash.json + .jws for {@code kernel} under {@code dir} (for the CLI). */
    Path writeBaseline(Path dir, String name, String kernel) throws Exception {
        byte[] json = hashJson(kernel);
        Files.writeString(dir.resolve(name + BaselineSignature.FILE_SUFFIX), BaselineSignature.sign(json, builderKey));
        return Files.write(dir.resolve(name), json);
    }

    Path writeSigner(Path dir) throws Exception {
        return Files.writeString(dir.resolve("builder.pub.jwk"), builderKey.toPublicJWK().toJSONString());
    }

    static Path writeKeyFile(Path dir, String name, byte[] key) throws Exception {
        Path f = Files.write(dir.resolve(name), key);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** The forms a key could leak in: raw, hex (both cases), base64 (padded, unpadded, url). */
    static List<byte[]> leakForms(byte[] key) {
        String hex = HexFormat.of().formatHex(key);
        return List.of(key, hex.getBytes(StandardCharsets.US_ASCII),
                hex.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                Base64.getEncoder().encode(key), Base64.getEncoder().withoutPadding().encode(key),
                Base64.getUrlEncoder().withoutPadding().encode(key));
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
