package dev.cvmfde.protocol.token.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.token.HashAlgorithm;
import dev.cvmfde.protocol.token.RealmAttestationKey;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.token.TokenDecodeException.Failure;
import java.util.ArrayList;
import java.util.List;

/** Realm (cVM) claims map ⇄ {@link RealmClaims}. Unknown claim keys are ignored. */
public final class RealmClaimsCodec {

    public static final int PROFILE = 265, CHALLENGE = 10, PERSONALIZATION = 44235, HASH_ALG = 44236,
            PUBLIC_KEY = 44237, RIM = 44238, REMS = 44239, PUBLIC_KEY_HASH_ALG = 44240;

    private static final int[] MEASUREMENT_LENGTHS = {32, 48, 64};

    private RealmClaimsCodec() {
    }

    public static RealmClaims decode(CBORObject map) throws TokenDecodeException {
        ClaimMap m = new ClaimMap(map, "realm");
        var profile = m.optionalText(PROFILE, "profile");
        byte[] challenge = m.bytes(CHALLENGE, "challenge", RealmClaims.CHALLENGE_BYTES);
        byte[] rpv = m.bytes(PERSONALIZATION, "personalization value", RealmClaims.CHALLENGE_BYTES);
        HashAlgorithm hash = hashAlg(m, HASH_ALG, "hash algorithm");
        RealmAttestationKey rak = RealmAttestationKey.parse(m.bytes(PUBLIC_KEY, "public key"));
        byte[] rim = m.bytes(RIM, "initial measurement", MEASUREMENT_LENGTHS);
        List<byte[]> rems = rems(m);
        HashAlgorithm rakHash = hashAlg(m, PUBLIC_KEY_HASH_ALG, "public key hash algorithm");
        return new RealmClaims(profile, challenge, rpv, hash, rak, rim, rems, rakHash);
    }

    private static List<byte[]> rems(ClaimMap m) throws TokenDecodeException {
        String where = m.where(REMS, "extensible measurements");
        CBORObject arr = m.required(REMS, "extensible measurements");
        if (arr.getType() != CBORType.Array || arr.isTagged()) {
            throw new TokenDecodeException(Failure.WRONG_TYPE, where, "expected an array, got " + ClaimMap.type(arr));
        }
        if (arr.size() != RealmClaims.REM_COUNT) {
            throw new TokenDecodeException(Failure.WRONG_COUNT, where, arr.size() + " items; exactly "
                    + RealmClaims.REM_COUNT + " are required");
        }
        List<byte[]> rems = new ArrayList<>(RealmClaims.REM_COUNT);
        for (int i = 0; i < arr.size(); i++) {
            String w = where + "[" + i + "]";
            rems.add(ClaimMap.checkLength(ClaimMap.asBytes(arr.get(i), w), w, MEASUREMENT_LENGTHS));
        }
        return rems;
    }

    static HashAlgorithm hashAlg(ClaimMap m, int key, String name) throws TokenDecodeException {
        String s = m.text(key, name);
        HashAlgorithm h = HashAlgorithms.fromClaimName(s);
        if (h == null) {
            throw new TokenDecodeException(Failure.UNEXPECTED, m.where(key, name), "\"" + ClaimMap.echo(s)
                    + "\" is not one of sha-256, sha-384, sha-512");
        }
        return h;
    }

    public static CBORObject encode(RealmClaims c) {
        CBORObject m = CBORObject.NewOrderedMap();
        c.profile().ifPresent(p -> m.Add(PROFILE, p));
        m.Add(CHALLENGE, c.challenge());
        m.Add(PERSONALIZATION, c.personalizationValue());
        m.Add(RIM, c.rim());
        CBORObject rems = CBORObject.NewArray();
        c.rems().forEach(r -> rems.Add(CBORObject.FromObject(r)));
        m.Add(REMS, rems);
        m.Add(HASH_ALG, c.hashAlgorithm().claimName());
        m.Add(PUBLIC_KEY, c.rakClaimBytes());
        m.Add(PUBLIC_KEY_HASH_ALG, c.rakHashAlgorithm().claimName());
        return m;
    }
}
