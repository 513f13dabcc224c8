package dev.cvmfde.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Security;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code verify(key, provider)}: same verdicts and reported encoding as {@code verify(key)}, on the given provider. */
class CoseSign1ProviderTest {
    private static final byte[] PAYLOAD = "claims".getBytes(StandardCharsets.US_ASCII);
    private static final Provider SUN_EC = Security.getProvider("SunEC");

    @ParameterizedTest
    @CsvSource({"ES256, RAW", "ES384, RAW", "ES512, RAW", "ES256, DER", "ES384, DER", "ES512, DER", "PS256, RAW"})
    void verifyWithProvider_signedBySameKey_validWithItsEncoding(CoseAlgorithm alg, SignatureEncoding enc)
            throws Exception {
        KeyPair keys = CoseSign1Test.keysFor(alg);
        CoseSign1 signed = CoseSign1.sign(alg, keys, PAYLOAD, enc);

        assertEquals(new CoseVerification.Valid(alg, enc), signed.verify(keys.getPublic(), SUN_EC));
        assertEquals(signed.verify(keys.getPublic()), signed.verify(keys.getPublic(), SUN_EC));
    }

    @ParameterizedTest
    @CsvSource({"ES384, RAW", "ES384, DER", "ES256, RAW"})
    void verifyWithProvider_otherKeyOrOtherPayload_invalid(CoseAlgorithm alg, SignatureEncoding enc) throws Exception {
        CoseSign1 signed = CoseSign1.sign(alg, CoseSign1Test.keysFor(alg), PAYLOAD, enc);
        CoseSign1 forged = CoseSign1.assemble(signed.protectedHeader(), "other".getBytes(StandardCharsets.US_ASCII),
                signed.signature(), alg);

        assertInstanceOf(CoseVerification.Invalid.class, signed.verify(CoseSign1Test.keysFor(alg).getPublic(), SUN_EC));
        assertInstanceOf(CoseVerification.Invalid.class, forged.verify(CoseSign1Test.keysFor(alg).getPublic(), SUN_EC));
    }

    @ParameterizedTest
    @CsvSource({"ES384, ES256"})
    void verifyWithProvider_keyOfOtherCurve_invalid(CoseAlgorithm alg, CoseAlgorithm keyAlg) throws Exception {
        CoseSign1 signed = CoseSign1.sign(alg, CoseSign1Test.keysFor(alg), PAYLOAD, SignatureEncoding.RAW);

        assertInstanceOf(CoseVerification.Invalid.class, signed.verify(CoseSign1Test.keysFor(keyAlg).getPublic(), SUN_EC));
    }
}
