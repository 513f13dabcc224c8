package dev.cvmfde.protocol.release;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.cvmfde.protocol.release.internal.PublicKeyPem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * The verifier public key a guest trusts (baked into its measured initramfs). Only releases
 * signed by this key, with the algorithm of its curve (P-384 → ES384, P-256 → ES256), open.
 */
public record PinnedVerifierKey(ECKey publicKey) {
    /** Largest pinned-key file read (a JWK or PEM public key is a few hundred bytes). */
    public static final int MAX_KEY_FILE_BYTES = 16 * 1024;

    public PinnedVerifierKey {
        if (publicKey == null) {
            throw new IllegalArgumentException("pinned verifier key is required");
        }
        if (publicKey.isPrivate()) {
            throw new IllegalArgumentException("pinned verifier key has a private part (d); pin the public key only");
        }
        if (!ReleaseFormat.SIGNATURE_BY_CURVE.containsKey(publicKey.getCurve())) {
            throw new IllegalArgumentException("pinned verifier key is on curve " + publicKey.getCurve()
                    + "; P-384 or P-256 is required");
        }
    }

    /** The only JWS algorithm accepted from this key. */
    public JWSAlgorithm algorithm() {
        return ReleaseFormat.SIGNATURE_BY_CURVE.get(publicKey.getCurve());
    }

    /** RFC 7638 SHA-256 thumbprint, base64url: how logs and errors name the key. */
    public String thumbprint() {
        try {
            return publicKey.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Reads a public JWK ({@code {"kty":"EC",…}}) or PEM ({@code BEGIN PUBLIC KEY}) file. */
    public static PinnedVerifierKey read(Path file) throws KeyMaterialException {
        String text = readText(file);
        try {
            ECKey key = PublicKeyPem.looksLikePem(text) ? fromPem(text) : fromJwk(text);
            return new PinnedVerifierKey(key);
        } catch (IllegalArgumentException e) {
            throw new KeyMaterialException("verifier key " + file + ": " + e.getMessage());
        } catch (PublicKeyPem.PemException e) {
            throw new KeyMaterialException("verifier key " + file + ": " + e.getMessage());
        } catch (ParseException e) {
            throw new KeyMaterialException("verifier key " + file + " is neither a PEM public key nor a JWK: "
                    + e.getMessage());
        }
    }

    private static ECKey fromPem(String text) throws PublicKeyPem.PemException {
        var key = PublicKeyPem.read(text);
        Curve curve = Curve.forECParameterSpec(key.getParams());
        if (curve == null) {
            throw new PublicKeyPem.PemException("the PUBLIC KEY block is on an unsupported curve; P-384 or P-256 is required");
        }
        return new ECKey.Builder(curve, key).build();
    }

    private static ECKey fromJwk(String text) throws ParseException {
        JWK jwk = JWK.parse(text);
        if (jwk instanceof ECKey ec) {
            return ec;
        }
        throw new IllegalArgumentException("the JWK has kty " + jwk.getKeyType() + "; an EC key is required");
    }

    static String readText(Path file) throws KeyMaterialException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
            if (bytes.length > MAX_KEY_FILE_BYTES) {
                throw new KeyMaterialException("key file " + file + " is larger than " + MAX_KEY_FILE_BYTES
                        + " bytes; a JWK or PEM key is a few hundred");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new KeyMaterialException("key file " + file + " is not text (JWK or PEM expected)");
            } finally {
                java.util.Arrays.fill(bytes, (byte) 0);
            }
        } catch (NoSuchFileException e) {
            throw new KeyMaterialException("key file " + file + " does not exist");
        } catch (IOException e) {
            throw new KeyMaterialException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }
}
