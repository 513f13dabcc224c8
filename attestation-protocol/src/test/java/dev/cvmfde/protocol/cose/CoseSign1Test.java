package dev.cvmfde.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.upokecenter.cbor.CBORObject;
import dev.cvmfde.protocol.cose.internal.EcdsaSignatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CoseSign1Test {

    private static final byte[] PAYLOAD = "claims".getBytes(StandardCharsets.US_ASCII);

    static KeyPair keysFor(CoseAlgorithm alg) throws Exception {
        if (alg == CoseAlgorithm.PS256) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(switch (alg) {
            case ES256 -> "secp256r1";
            case ES384 -> "secp384r1";
            default -> "secp521r1";
        }));
        return g.generateKeyPair();
    }

    @ParameterizedTest
    @CsvSource({"ES256, RAW", "ES384, RAW", "ES512, RAW", "PS256, RAW", "ES256, DER", "ES384, DER", "ES512, DER"})
    void sign_thenDecodeAndVerify_valid(CoseAlgorithm alg, SignatureEncoding enc) throws Exception {
        KeyPair k = keysFor(alg);

        CoseSign1 msg = CoseSign1.decode(CoseSign1.sign(alg, k, PAYLOAD, enc).encoded());

        assertEquals(alg, msg.algorithm());
        assertArrayEquals(PAYLOAD, msg.payload());
        assertEquals(new CoseVerification.Valid(alg, enc), msg.verify(k.getPublic()));
    }

    @ParameterizedTest
    @CsvSource({"ES256", "ES384", "ES512", "PS256"})
    void verify_tamperedPayload_invalid(CoseAlgorithm alg) throws Exception {
        KeyPair k = keysFor(alg);
        CBORObject arr = CBORObject.DecodeFromBytes(CoseSign1.sign(alg, k, PAYLOAD, SignatureEncoding.RAW).encoded());
        arr.Set(2, CBORObject.FromObject("claimz".getBytes(StandardCharsets.US_ASCII)));

        assertInstanceOf(CoseVerification.Invalid.class, CoseSign1.decode(arr.EncodeToBytes()).verify(k.getPublic()));
    }

    @Test
    void verify_wrongKeyTypeOrCurve_invalid() throws Exception {
        CoseSign1 msg = CoseSign1.sign(CoseAlgorithm.ES384, keysFor(CoseAlgorithm.ES384), PAYLOAD, SignatureEncoding.RAW);

        assertInstanceOf(CoseVerification.Invalid.class, msg.verify(keysFor(CoseAlgorithm.ES256).getPublic()));
        assertInstanceOf(CoseVerification.Invalid.class, msg.verify(keysFor(CoseAlgorithm.PS256).getPublic()));
        assertInstanceOf(CoseVerification.Invalid.class, msg.verify(keysFor(CoseAlgorithm.ES384).getPublic()));
    }

    @Test
    void verify_truncatedSignature_invalid() throws Exception {
        KeyPair k = keysFor(CoseAlgorithm.ES256);
        CBORObject arr = CBORObject.DecodeFromBytes(CoseSign1.sign(CoseAlgorithm.ES256, k, PAYLOAD, SignatureEncoding.RAW).encoded());
        arr.Set(3, CBORObject.FromObject(new byte[63]));

        assertInstanceOf(CoseVerification.Invalid.class, CoseSign1.decode(arr.EncodeToBytes()).verify(k.getPublic()));
    }

    @Test
    void decode_untaggedOrUnsupportedAlg_formatException() throws Exception {
        byte[] tagged = CoseSign1.sign(CoseAlgorithm.ES256, keysFor(CoseAlgorithm.ES256), PAYLOAD, SignatureEncoding.RAW).encoded();
        CBORObject arr = CBORObject.DecodeFromBytes(tagged).Untag();
        assertThrows(CoseFormatException.class, () -> CoseSign1.decode(arr.EncodeToBytes()));

        arr.Set(0, CBORObject.FromObject(CBORObject.NewMap().Add(1, -8).EncodeToBytes()));
        assertThrows(CoseFormatException.class, () -> CoseSign1.decode(CBORObject.FromObjectAndTag(arr, 18).EncodeToBytes()));
    }

    /** openssl checks what we sign: the Sig_structure, and both signature layouts. */
    @ParameterizedTest
    @CsvSource({"ES256, RAW", "ES384, RAW", "ES512, RAW", "ES384, DER", "ES512, DER", "PS256, RAW"})
    void sign_checkedByOpenssl_verifies(CoseAlgorithm alg, SignatureEncoding enc, @TempDir Path dir) throws Exception {
        KeyPair k = keysFor(alg);
        CoseSign1 msg = CoseSign1.sign(alg, k, PAYLOAD, enc);
        byte[] sig = msg.signature();
        if (alg.isEcdsa() && enc == SignatureEncoding.RAW) {
            sig = EcdsaSignatures.rawToDer(sig);
        }
        Files.write(dir.resolve("tbs"), msg.toBeSigned());
        Files.write(dir.resolve("sig"), sig);
        Files.writeString(dir.resolve("pub.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(k.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        String md = switch (alg) {
            case ES384 -> "-sha384";
            case ES512 -> "-sha512";
            default -> "-sha256";
        };
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "dgst", md, "-verify", "pub.pem", "-signature", "sig"));
        if (alg == CoseAlgorithm.PS256) {
            cmd.addAll(List.of("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256"));
        }
        cmd.add("tbs");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals("Verified OK", out.strip());
    }

    @Test
    void derToRaw_nonMinimalOrTrailing_rejected() {
        byte[] ok = EcdsaSignatures.rawToDer(new byte[] {0, 0, 0, 5, 0, 0, 0, 7});
        assertArrayEquals(new byte[] {0, 0, 0, 5, 0, 0, 0, 7}, EcdsaSignatures.derToRaw(ok, 4).orElseThrow());
        byte[] nonMinimal = {0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x07};
        assertEquals(java.util.Optional.empty(), EcdsaSignatures.derToRaw(nonMinimal, 4));
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertEquals(java.util.Optional.empty(), EcdsaSignatures.derToRaw(trailing, 4));
    }

    /** A JCA (DER) signature rewritten to raw r‖s is checked by COSE-Java, and the other way round. */
    @ParameterizedTest
    @CsvSource({"ES256", "ES384", "ES512"})
    void verify_signatureLayoutSwapped_bothPathsAgree(CoseAlgorithm alg) throws Exception {
        KeyPair k = keysFor(alg);
        CBORObject fromJca = CBORObject.DecodeFromBytes(CoseSign1.sign(alg, k, PAYLOAD, SignatureEncoding.DER).encoded());
        byte[] der = fromJca.get(3).GetByteString();
        fromJca.Set(3, CBORObject.FromObject(EcdsaSignatures.derToRaw(der, alg.fieldBytes()).orElseThrow()));
        CBORObject fromCoseJava = CBORObject.DecodeFromBytes(CoseSign1.sign(alg, k, PAYLOAD, SignatureEncoding.RAW).encoded());
        fromCoseJava.Set(3, CBORObject.FromObject(EcdsaSignatures.rawToDer(fromCoseJava.get(3).GetByteString())));

        assertEquals(new CoseVerification.Valid(alg, SignatureEncoding.RAW),
                CoseSign1.decode(fromJca.EncodeToBytes()).verify(k.getPublic()));
        assertEquals(new CoseVerification.Valid(alg, SignatureEncoding.DER),
                CoseSign1.decode(fromCoseJava.EncodeToBytes()).verify(k.getPublic()));
    }
}
