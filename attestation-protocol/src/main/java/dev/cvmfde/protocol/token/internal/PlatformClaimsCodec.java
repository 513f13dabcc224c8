package dev.cvmfde.protocol.token.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.token.PlatformClaims;
import dev.cvmfde.protocol.token.SoftwareComponent;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.token.TokenDecodeException.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Platform claims map ⇄ {@link PlatformClaims}. Unknown claim keys are ignored. */
public final class PlatformClaimsCodec {

    public static final int PROFILE = 265, CHALLENGE = 10, IMPLEMENTATION_ID = 2396, INSTANCE_ID = 256,
            CONFIG = 2401, LIFECYCLE = 2395, SW_COMPONENTS = 2399, VERIFICATION_SERVICE = 2400,
            HASH_ALG = 2402;
    private static final int SW_TYPE = 1, SW_VALUE = 2, SW_VERSION = 4, SW_SIGNER = 5, SW_HASH_ALG = 6;

    /** Most software components accepted in claim 2399. */
    public static final int MAX_SW_COMPONENTS = 64;
    /** Largest lifecycle value (PSA lifecycle is a 16-bit field). */
    public static final int MAX_LIFECYCLE = 0xffff;

    private PlatformClaimsCodec() {
    }

    public static PlatformClaims decode(CBORObject map) throws TokenDecodeException {
        ClaimMap m = new ClaimMap(map, "platform");
        String profile = m.text(PROFILE, "profile");
        byte[] challenge = m.bytes(CHALLENGE, "challenge", 32, 48, 64);
        byte[] implId = m.bytes(IMPLEMENTATION_ID, "implementation id", PlatformClaims.IMPLEMENTATION_ID_BYTES);
        byte[] instId = m.bytes(INSTANCE_ID, "instance id", PlatformClaims.INSTANCE_ID_BYTES);
        byte[] config = m.bytes(CONFIG, "config");
        int lifecycle = lifecycle(m);
        List<SoftwareComponent> sw = components(m);
        Optional<String> vsi = m.optionalText(VERIFICATION_SERVICE, "verification service");
        String hash = m.text(HASH_ALG, "hash algorithm");
        return new PlatformClaims(profile, challenge, implId, instId, config, lifecycle, sw, vsi, hash);
    }

    private static int lifecycle(ClaimMap m) throws TokenDecodeException {
        CBORObject v = m.required(LIFECYCLE, "lifecycle");
        String where = m.where(LIFECYCLE, "lifecycle");
        if (v.getType() != CBORType.Integer || v.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected an integer, got " + ClaimMap.type(v));
        }
        if (!v.CanValueFitInInt32() || v.AsInt32Value() < 0 || v.AsInt32Value() > MAX_LIFECYCLE) {
            throw new TokenDecodeException(Failure.UNEXPECTED, where, "value outside 0..0xffff");
        }
        return v.AsInt32Value();
    }

    private static List<SoftwareComponent> components(ClaimMap m) throws TokenDecodeException {
        String where = m.where(SW_COMPONENTS, "software components");
        CBORObject arr = m.required(SW_COMPONENTS, "software components");
        if (arr.getType() != CBORType.Array || arr.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected an array, got " + ClaimMap.type(arr));
        }
        if (arr.size() > MAX_SW_COMPONENTS) {
            throw new TokenDecodeException(Failure.WRONG_COUNT, where, arr.size()
                    + " items; at most MAX_SW_COMPONENTS=" + MAX_SW_COMPONENTS);
        }
        List<SoftwareComponent> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            out.add(component(arr.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    private static SoftwareComponent component(CBORObject o, String where) throws TokenDecodeException {
        if (o.getType() != CBORType.Map || o.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected a map, got " + ClaimMap.type(o));
        }
        return new SoftwareComponent(optText(o, SW_TYPE, where + ".measurement-type"),
                reqBytes(o, SW_VALUE, where + ".measurement-value"),
                optText(o, SW_VERSION, where + ".version"),
                reqBytes(o, SW_SIGNER, where + ".signer-id"),
                optText(o, SW_HASH_ALG, where + ".hash-algo-id"));
    }

    private static byte[] reqBytes(CBORObject map, int key, String where) throws TokenDecodeException {
        CBORObject v = map.get(CBORObject.FromObject(key));
        if (v == null) {
            throw new TokenDecodeException(Failure.MISSING, where, "required entry " + key + " is missing");
        }
        return ClaimMap.asBytes(v, where);
    }

    private static Optional<String> optText(CBORObject map, int key, String where) throws TokenDecodeException {
        CBORObject v = map.get(CBORObject.FromObject(key));
        return v == null ? Optional.empty() : Optional.of(ClaimMap.asText(v, where));
    }

    public static CBORObject encode(PlatformClaims c) {
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add(PROFILE, c.profile());
        m.Add(CHALLENGE, c.challenge());
        m.Add(IMPLEMENTATION_ID, c.implementationId());
        m.Add(INSTANCE_ID, c.instanceId());
        m.Add(CONFIG, c.config());
        m.Add(LIFECYCLE, c.lifecycle());
        CBORObject sw = CBORObject.NewArray();
        for (SoftwareComponent s : c.softwareComponents()) {
            CBORObject e = CBORObject.NewOrderedMap();
            s.measurementType().ifPresent(t -> e.Add(SW_TYPE, t));
            e.Add(SW_VALUE, s.measurementValue());
            s.version().ifPresent(v -> e.Add(SW_VERSION, v));
            e.Add(SW_SIGNER, s.signerId());
            s.hashAlgorithm().ifPresent(h -> e.Add(SW_HASH_ALG, h));
            sw.Add(e);
        }
        m.Add(SW_COMPONENTS, sw);
        c.verificationService().ifPresent(v -> m.Add(VERIFICATION_SERVICE, v));
        m.Add(HASH_ALG, c.hashAlgorithm());
        return m;
    }
}
