package dev.cvmfde.protocol.token;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.cose.CoseFormatException;
import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.cose.internal.BoundedCbor;
import dev.cvmfde.protocol.token.TokenDecodeException.Failure;
import dev.cvmfde.protocol.token.internal.PlatformClaimsCodec;
import dev.cvmfde.protocol.token.internal.RealmClaimsCodec;

/**
 * Decodes CCA token collections (tag 399 and tag 907) and the virtCCA forms into an
 * {@link UnverifiedCcaToken}. Every input is bounded ({@link #MAX_TOKEN_BYTES},
 * {@link BoundedCbor#MAX_DEPTH}, {@link BoundedCbor#MAX_CONTAINER_ITEMS}); any bad input gives
 * a {@link TokenDecodeException} naming what was wrong. The input array is never modified.
 */
public final class CcaTokenDecoder {

    /** Largest token accepted (virtCCA's /dev/tsi buffer is 8 KiB; RSA-4096 keys fit easily). */
    public static final int MAX_TOKEN_BYTES = 64 * 1024;
    /** Map key of the platform token in a collection. */
    public static final int PLATFORM_KEY = 44234;
    /** Map key of the realm (cVM) token in a collection. */
    public static final int REALM_KEY = 44241;

    /** Longest piece of input echoed in an error message. */
    static final int MAX_ECHO_CHARS = 40;

    private CcaTokenDecoder() {
    }

    /** Decodes {@code token}; throws only {@link TokenDecodeException} for bad input. */
    public static UnverifiedCcaToken decode(byte[] token) throws TokenDecodeException {
        if (token.length > MAX_TOKEN_BYTES) {
            throw new TokenDecodeException(Failure.TOO_LARGE, "token", token.length
                    + " bytes; at most MAX_TOKEN_BYTES=" + MAX_TOKEN_BYTES);
        }
        byte[] copy = token.clone();
        CBORObject top = cbor(copy, "token");
        CollectionForm form = form(top);
        CBORObject map = top.UntagOne();
        if (map.getType() != CBORType.Map || map.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, "collection", "expected a map, got " + map.getType());
        }
        for (CBORObject k : map.getKeys()) {
            if (!k.equals(CBORObject.FromObject(PLATFORM_KEY)) && !k.equals(CBORObject.FromObject(REALM_KEY))) {
                throw new TokenDecodeException(Failure.UNEXPECTED, "collection", "unexpected entry " + brief(k)
                        + "; only 44234 (platform) and 44241 (realm) are allowed");
            }
        }
        CBORObject realmEntry = map.get(CBORObject.FromObject(REALM_KEY));
        if (realmEntry == null) {
            throw new TokenDecodeException(Failure.MISSING, "collection entry 44241 (realm token)", "missing");
        }
        CBORObject platformEntry = map.get(CBORObject.FromObject(PLATFORM_KEY));
        if (platformEntry == null && form == CollectionForm.CMW_907) {
            throw new TokenDecodeException(Failure.MISSING, "collection entry 44234 (platform token)",
                    "missing; only the tag-399 virtCCA form may omit it");
        }
        UnverifiedPlatformToken platform = platformEntry == null ? null : platform(entry(platformEntry, form, "44234 (platform token)"));
        UnverifiedRealmToken realm = realm(entry(realmEntry, form, "44241 (realm token)"));
        return new UnverifiedCcaToken(form, platform, realm, copy);
    }

    private static CollectionForm form(CBORObject top) throws TokenDecodeException {
        if (!top.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TAG, "token", "untagged " + top.getType()
                    + "; expected tag 399 or 907");
        }
        if (top.getTagCount() != 1) {
            throw new TokenDecodeException(Failure.WRONG_TAG, "token", top.getTagCount() + " tags; expected one");
        }
        var tag = top.getMostOuterTag();
        for (CollectionForm f : CollectionForm.values()) {
            if (tag.compareTo(f.tag()) == 0) {
                return f;
            }
        }
        throw new TokenDecodeException(Failure.WRONG_TAG, "token", "tag " + tag + "; expected 399 or 907");
    }

    private static CoseSign1 entry(CBORObject e, CollectionForm form, String name) throws TokenDecodeException {
        String where = "collection entry " + name;
        CBORObject bstr = e;
        if (form == CollectionForm.CMW_907) {
            if (e.getType() != CBORType.Array || e.isTagged() || e.size() != 2) {
                throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected a CMW [263, bstr], got "
                        + (e.getType() == CBORType.Array ? "an array of " + e.size() : e.getType()));
            }
            CBORObject cf = e.get(0);
            if (cf.getType() != CBORType.Integer || cf.isTagged() || !cf.CanValueFitInInt32()
                    || cf.AsInt32Value() != CollectionForm.CMW_CONTENT_FORMAT) {
                throw new TokenDecodeException(Failure.UNEXPECTED, where, "CMW content format " + brief(cf)
                        + "; expected 263 (application/eat+cwt)");
            }
            bstr = e.get(1);
        }
        if (bstr.getType() != CBORType.ByteString || bstr.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected a byte string holding a COSE_Sign1, got "
                    + (bstr.isTagged() ? "tagged " : "") + bstr.getType());
        }
        try {
            return CoseSign1.decode(bstr.GetByteString());
        } catch (CoseFormatException ex) {
            throw new TokenDecodeException(Failure.BAD_COSE, where, ex.getMessage());
        }
    }

    private static UnverifiedPlatformToken platform(CoseSign1 env) throws TokenDecodeException {
        CBORObject claims = cbor(env.payload(), "platform payload");
        return new UnverifiedPlatformToken(env, PlatformClaimsCodec.decode(claims));
    }

    private static UnverifiedRealmToken realm(CoseSign1 env) throws TokenDecodeException {
        CBORObject claims = cbor(env.payload(), "realm payload");
        RealmPayloadForm payloadForm = RealmPayloadForm.MAP;
        if (claims.getType() == CBORType.ByteString && !claims.isTagged()) {
            claims = cbor(claims.GetByteString(), "realm payload (inner bstr)");
            payloadForm = RealmPayloadForm.BSTR_WRAPPED;
        }
        return new UnverifiedRealmToken(env, RealmClaimsCodec.decode(claims), payloadForm);
    }

    /** At most {@link #MAX_ECHO_CHARS} characters of a value, so hostile input cannot bloat messages. */
    private static String brief(CBORObject o) {
        String s = o.toString();
        return s.length() <= MAX_ECHO_CHARS ? s : s.substring(0, MAX_ECHO_CHARS) + "…";
    }

    private static CBORObject cbor(byte[] b, String where) throws TokenDecodeException {
        try {
            return BoundedCbor.decode(b);
        } catch (BoundedCbor.Malformed e) {
            throw new TokenDecodeException(Failure.MALFORMED_CBOR, where, e.getMessage());
        }
    }
}
