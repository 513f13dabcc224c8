package dev.cvmfde.protocol.token.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.token.TokenDecodeException.Failure;
import java.util.Optional;

/** Typed, bounded reads from one decoded claims map; every error names the claim. */
final class ClaimMap {

    private final CBORObject map;
    private final String owner;

    ClaimMap(CBORObject map, String owner) throws TokenDecodeException {
        if (map.getType() != CBORType.Map || map.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, owner + " claims", "expected a map, got " + type(map));
        }
        this.map = map;
        this.owner = owner;
    }

    String where(int key, String name) {
        return owner + " claim " + key + " (" + name + ")";
    }

    Optional<CBORObject> optional(int key) {
        return Optional.ofNullable(map.get(CBORObject.FromObject(key)));
    }

    CBORObject required(int key, String name) throws TokenDecodeException {
        CBORObject v = map.get(CBORObject.FromObject(key));
        if (v == null) {
            throw new TokenDecodeException(Failure.MISSING, where(key, name), "required claim is missing");
        }
        return v;
    }

    byte[] bytes(int key, String name) throws TokenDecodeException {
        return asBytes(required(key, name), where(key, name));
    }

    byte[] bytes(int key, String name, int... allowedLengths) throws TokenDecodeException {
        byte[] b = bytes(key, name);
        return checkLength(b, where(key, name), allowedLengths);
    }

    String text(int key, String name) throws TokenDecodeException {
        return asText(required(key, name), where(key, name));
    }

    Optional<String> optionalText(int key, String name) throws TokenDecodeException {
        Optional<CBORObject> v = optional(key);
        return v.isEmpty() ? Optional.empty() : Optional.of(asText(v.get(), where(key, name)));
    }

    static byte[] asBytes(CBORObject v, String where) throws TokenDecodeException {
        if (v.getType() != CBORType.ByteString || v.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected a byte string, got " + type(v));
        }
        return v.GetByteString();
    }

    static String asText(CBORObject v, String where) throws TokenDecodeException {
        if (v.getType() != CBORType.TextString || v.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected a text string, got " + type(v));
        }
        return v.AsString();
    }

    static byte[] checkLength(byte[] b, String where, int... allowed) throws TokenDecodeException {
        for (int len : allowed) {
            if (b.length == len) {
                return b;
            }
        }
        throw new TokenDecodeException(Failure.WRONG_SIZE, where, b.length + " bytes; allowed: "
                + java.util.Arrays.toString(allowed));
    }

    /** Longest piece of input echoed in an error message. */
    static final int MAX_ECHO_CHARS = 40;

    /** At most {@link #MAX_ECHO_CHARS} characters of {@code s}, so hostile input cannot bloat messages. */
    static String echo(String s) {
        return s.length() <= MAX_ECHO_CHARS ? s : s.substring(0, MAX_ECHO_CHARS) + "…";
    }

    static String type(CBORObject v) {
        return v.isTagged() ? "tagged " + v.getType() : String.valueOf(v.getType());
    }
}
