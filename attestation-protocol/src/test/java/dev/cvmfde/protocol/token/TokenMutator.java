package dev.cvmfde.protocol.token;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.SignatureEncoding;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Seeded mutations of valid tokens for the decoder fuzz test and {@code bench/token-fuzz}:
 * bit flips, interesting bytes, truncation, length-field blowups, inserted and deleted runs,
 * and splices of two valid tokens. Every choice, the seed tokens' keys and signatures included,
 * follows from one seed: the same seed always gives the same inputs (TokenMutatorTest).
 */
final class TokenMutator {

    private static final byte[] INTERESTING = {0x00, (byte) 0xff, 0x7f, (byte) 0x80, 0x17, 0x18, 0x19, 0x1a, 0x1b,
        0x1f, 0x40, 0x58, 0x5b, 0x5f, 0x60, (byte) 0x9b, (byte) 0x9f, (byte) 0xbb, (byte) 0xbf, (byte) 0xc0,
        (byte) 0xd2, (byte) 0xd9, (byte) 0xf6, (byte) 0xf7, (byte) 0xfb};

    private final List<byte[]> seeds;
    private final SplittableRandom rnd;

    TokenMutator(List<byte[]> seeds, long seed) {
        this.seeds = List.copyOf(seeds);
        this.rnd = new SplittableRandom(seed);
    }

    /** A seed as printed ({@code 0x} and hex digits, any 64 bits) or in decimal. */
    static long parseSeed(String text) {
        String t = text.trim();
        return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    /** The seed tokens and the mutation choices, all from {@code seed}. */
    static TokenMutator fromSeed(long seed) throws Exception {
        return new TokenMutator(seedTokens(seed), seed);
    }

    /**
     * The public vectors plus generated tokens in every form the decoder accepts. Their keys and
     * signatures come from {@code seed} too, so the same seed gives the same bytes.
     */
    static List<byte[]> seedTokens(long seed) throws Exception {
        List<byte[]> s = new ArrayList<>();
        for (String f : List.of("veraison-good-907.cbor", "veraison-good-399.cbor", "veraison-tfrmm-legacy-907.cbor",
                "tfrmm-cca-token-399.cbor", "veraison-bad-unwrapped-907.cbor", "rust-cca-token-02.cbor",
                "rust-cca-token-draft-ffm-00.cbor", "rust-bug-33-repro.cbor")) {
            s.add(TestKeys.resource(f));
        }
        KeyPair p521 = TestKeys.ec("secp521r1", TestKeys.seeded(seed, "fuzz corpus P-521 test key"));
        KeyPair p256 = TestKeys.ec("secp256r1", TestKeys.seeded(seed, "fuzz corpus P-256 test key"));
        KeyPair rsa = TestKeys.rsa(2048, TestKeys.seeded(seed, "fuzz corpus RSA test key"));
        SecureRandom signing = TestKeys.seeded(seed, "fuzz corpus signatures");
        s.add(CcaTokenBuilder.of(CollectionForm.EAT_399)
                .realm(TestKeys.realmClaims(RealmAttestationKey.of(p521.getPublic(), RakEncoding.RAW_EC_POINT),
                        Optional.empty()), CoseAlgorithm.ES512, p521)
                .platform(TestKeys.platformClaims(), CoseAlgorithm.ES512, p521)
                .realmPayloadForm(RealmPayloadForm.BSTR_WRAPPED).signatureEncoding(SignatureEncoding.DER)
                .signingRandom(signing).build());
        s.add(CcaTokenBuilder.of(CollectionForm.EAT_399)
                .realm(TestKeys.realmClaims(RealmAttestationKey.of(rsa.getPublic(), RakEncoding.DER_SPKI),
                        Optional.empty()), CoseAlgorithm.PS256, rsa)
                .realmPayloadForm(RealmPayloadForm.BSTR_WRAPPED).signingRandom(signing).build());
        s.add(CcaTokenBuilder.of(CollectionForm.CMW_907)
                .realm(TestKeys.realmClaims(RealmAttestationKey.of(p256.getPublic(), RakEncoding.COSE_KEY),
                        Optional.of("tag:arm.com,2023:realm#1.0.0")), CoseAlgorithm.ES256, p256)
                .platform(TestKeys.platformClaims(), CoseAlgorithm.ES256, p256).signingRandom(signing).build());
        return s;
    }

    /** The tokens mutated from, in order (copies). */
    List<byte[]> seeds() {
        return seeds.stream().map(byte[]::clone).toList();
    }

    /** The next mutated input (a fresh array; the seeds are never modified). */
    byte[] next() {
        byte[] base = seeds.get(rnd.nextInt(seeds.size()));
        if (rnd.nextInt(3) == 0) {
            return inner(base);
        }
        int rounds = 1 + rnd.nextInt(3);
        byte[] b = base.clone();
        for (int i = 0; i < rounds && b.length > 0; i++) {
            b = mutate(b);
        }
        return b;
    }

    private byte[] mutate(byte[] b) {
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(8)) {
            case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[at] = INTERESTING[rnd.nextInt(INTERESTING.length)];
            case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            case 3 -> blowUpLength(b, at);
            case 4 -> b = splice(b, seeds.get(rnd.nextInt(seeds.size())));
            case 5 -> b = insert(b, at);
            case 6 -> b = delete(b, at);
            default -> {
                int n = 1 + rnd.nextInt(Math.min(16, b.length - at));
                for (int i = 0; i < n; i++) {
                    b[at + i] = (byte) rnd.nextInt(256);
                }
            }
        }
        return b;
    }

    /**
     * Mutates inside one signed payload and re-wraps it with correct lengths, so that the
     * claim checks (not just the outer CBOR scan) see the damage.
     */
    private byte[] inner(byte[] base) {
        CBORObject top = CBORObject.DecodeFromBytes(base);
        CBORObject map = top.UntagOne();
        List<CBORObject> keys = new ArrayList<>(map.getKeys());
        CBORObject key = keys.get(rnd.nextInt(keys.size()));
        CBORObject entry = map.get(key);
        boolean cmw = entry.getType() == CBORType.Array;
        CBORObject bstr = cmw ? entry.get(1) : entry;
        if (bstr.getType() != CBORType.ByteString) {
            return base.clone();
        }
        CBORObject cose = CBORObject.DecodeFromBytes(bstr.GetByteString());
        CBORObject arr = cose.UntagOne();
        byte[] payload = arr.get(2).GetByteString();
        arr.Set(2, CBORObject.FromObject(rnd.nextBoolean() ? mutate(payload.clone()) : claimEdit(payload)));
        CBORObject rewrapped = CBORObject.FromObject(CBORObject.FromObjectAndTag(arr, 18).EncodeToBytes());
        if (cmw) {
            entry.Set(1, rewrapped);
        } else {
            map.Set(key, rewrapped);
        }
        return top.EncodeToBytes();
    }

    /** Replaces or removes one claim with a value of a random type and size. */
    private byte[] claimEdit(byte[] payload) {
        CBORObject claims = CBORObject.DecodeFromBytes(payload);
        boolean wrapped = claims.getType() == CBORType.ByteString;
        if (wrapped) {
            claims = CBORObject.DecodeFromBytes(claims.GetByteString());
        }
        List<CBORObject> keys = new ArrayList<>(claims.getKeys());
        CBORObject key = keys.get(rnd.nextInt(keys.size()));
        switch (rnd.nextInt(6)) {
            case 0 -> claims.Remove(key);
            case 1 -> claims.Set(key, CBORObject.FromObject(new byte[rnd.nextInt(140)]));
            case 2 -> claims.Set(key, CBORObject.FromObject("sha-" + rnd.nextInt(600)));
            case 3 -> claims.Set(key, CBORObject.FromObject(rnd.nextLong()));
            case 4 -> {
                CBORObject a = CBORObject.NewArray();
                int n = rnd.nextInt(7);
                for (int i = 0; i < n; i++) {
                    a.Add(CBORObject.FromObject(new byte[32 + 16 * rnd.nextInt(3)]));
                }
                claims.Set(key, a);
            }
            default -> claims.Set(key, CBORObject.NewMap().Add(rnd.nextInt(8), new byte[rnd.nextInt(40)]));
        }
        byte[] out = claims.EncodeToBytes();
        return wrapped ? CBORObject.FromObject(out).EncodeToBytes() : out;
    }

    /** Turns a string/array/map header into one with a huge 4- or 8-byte length. */
    private void blowUpLength(byte[] b, int at) {
        for (int i = at; i < b.length; i++) {
            int major = (b[i] & 0xff) >>> 5;
            if (major >= 2 && major <= 5) {
                boolean eight = rnd.nextBoolean() && i + 9 <= b.length;
                if (!eight && i + 5 > b.length) {
                    return;
                }
                b[i] = (byte) ((major << 5) | (eight ? 27 : 26));
                for (int k = 1; k <= (eight ? 8 : 4); k++) {
                    b[i + k] = (byte) (k == 1 ? 0x7f : rnd.nextInt(256));
                }
                return;
            }
        }
    }

    private byte[] splice(byte[] a, byte[] other) {
        int cutA = rnd.nextInt(a.length + 1);
        int cutB = rnd.nextInt(other.length + 1);
        byte[] out = Arrays.copyOf(a, cutA + other.length - cutB);
        System.arraycopy(other, cutB, out, cutA, other.length - cutB);
        return out;
    }

    private byte[] insert(byte[] b, int at) {
        int n = 1 + rnd.nextInt(8);
        byte[] out = new byte[b.length + n];
        System.arraycopy(b, 0, out, 0, at);
        for (int i = 0; i < n; i++) {
            out[at + i] = (byte) rnd.nextInt(256);
        }
        System.arraycopy(b, at, out, at + n, b.length - at);
        return out;
    }

    private byte[] delete(byte[] b, int at) {
        int n = 1 + rnd.nextInt(Math.min(32, b.length - at));
        byte[] out = new byte[b.length - n];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + n, out, at, b.length - at - n);
        return out;
    }
}
