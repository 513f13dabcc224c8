package dev.cvmfde.protocol.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** hash.json.jws: detached ES256/ES384 over the exact bytes; every change or wrong key is Invalid. */
class BaselineSignatureTest {
    private static final byte[] JSON = "{\"grub\": \"00\", \"hash_alg\": \"sha-256\"}\n".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(strings = {"P-256", "P-384"})
    void verify_signedBySameKey_validWithCurveAlgorithm(String curve) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.parse(curve)).generate();

        String jws = BaselineSignature.sign(JSON, key);
        BaselineSignature.Verification v = BaselineSignature.verify(JSON, jws, key.toPublicJWK());

        BaselineSignature.Valid valid = assertInstanceOf(BaselineSignature.Valid.class, v);
        assertEquals(curve.equals("P-256") ? JWSAlgorithm.ES256 : JWSAlgorithm.ES384, valid.algorithm());
        assertTrue(jws.contains(".."), "detached payload");
    }

    @Test
    void verify_oneByteOfHashJsonChanged_invalid() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).generate();
        String jws = BaselineSignature.sign(JSON, key);
        byte[] changed = JSON.clone();
        changed[3] ^= 1;

        assertFalse(BaselineSignature.verify(changed, jws, key.toPublicJWK()).isValid());
    }

    @Test
    void verify_otherKey_invalid() throws Exception {
        String jws = BaselineSignature.sign(JSON, new ECKeyGenerator(Curve.P_384).generate());

        assertFalse(BaselineSignature.verify(JSON, jws, new ECKeyGenerator(Curve.P_384).generate().toPublicJWK()).isValid());
    }

    @Test
    void verify_attachedPayload_invalid() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).generate();
        JWSObject o = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES384)
                .type(new JOSEObjectType(BaselineSignature.TYPE)).build(), new Payload(JSON));
        o.sign(new ECDSASigner(key));

        assertInstanceOf(BaselineSignature.Invalid.class, BaselineSignature.verify(JSON, o.serialize(), key.toPublicJWK()));
    }

    @Test
    void verify_wrongTyp_invalid() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).generate();
        JWSObject o = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).build(),
                new Payload(JSON));
        o.sign(new ECDSASigner(key));

        assertFalse(BaselineSignature.verify(JSON, o.serialize(true), key.toPublicJWK()).isValid());
    }

    @Test
    void verify_oversizedOrGarbage_invalidNotException() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate().toPublicJWK();

        assertFalse(BaselineSignature.verify(JSON, "x".repeat(BaselineSignature.MAX_JWS_CHARS + 1), key).isValid());
        assertFalse(BaselineSignature.verify(JSON, "a..b", key).isValid());
        assertFalse(BaselineSignature.verify(JSON, "", key).isValid());
    }

    @Test
    void sign_publicKeyOnly_illegalArgument() throws Exception {
        ECKey pub = new ECKeyGenerator(Curve.P_384).generate().toPublicJWK();

        assertThrows(IllegalArgumentException.class, () -> BaselineSignature.sign(JSON, pub));
    }
}
