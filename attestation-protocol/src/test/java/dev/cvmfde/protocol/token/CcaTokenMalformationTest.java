package dev.cvmfde.protocol.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.upokecenter.cbor.CBORObject;
import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.cose.SignatureEncoding;
import dev.cvmfde.protocol.token.TokenDecodeException.Failure;
import dev.cvmfde.protocol.token.internal.PlatformClaimsCodec;
import dev.cvmfde.protocol.token.internal.RealmClaimsCodec;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One test per malformation: each gives a {@link TokenDecodeException} with the right failure and place. */
class CcaTokenMalformationTest {

    private static KeyPair keys;

    @BeforeAll
    static void keys() throws Exception {
        keys = TestKeys.ec("secp384r1");
    }

    private static CBORObject realmMap() {
        return RealmClaimsCodec.encode(TestKeys.realmClaims(
                RealmAttestationKey.of(keys.getPublic(), RakEncoding.RAW_EC_POINT), Optional.empty()));
    }

    private static CBORObject platformMap() {
        return PlatformClaimsCodec.encode(TestKeys.platformClaims());
    }

    private static byte[] cose(CBORObject payload) throws Exception {
        return CoseSign1.sign(CoseAlgorithm.ES384, keys, payload.EncodeToBytes(), SignatureEncoding.RAW).encoded();
    }

    private static byte[] token(int tag, Consumer<CBORObject> realmEdit, Consumer<CBORObject> platformEdit,
            Consumer<CBORObject> collectionEdit) throws Exception {
        CBORObject realm = realmMap();
        realmEdit.accept(realm);
        CBORObject platform = platformMap();
        platformEdit.accept(platform);
        CBORObject coll = CBORObject.NewOrderedMap();
        if (tag == 907) {
            coll.Add(44234, CBORObject.NewArray().Add(263).Add(cose(platform)));
            coll.Add(44241, CBORObject.NewArray().Add(263).Add(cose(realm)));
        } else {
            coll.Add(44234, cose(platform));
            coll.Add(44241, cose(realm));
        }
        collectionEdit.accept(coll);
        return CBORObject.FromObjectAndTag(coll, tag).EncodeToBytes();
    }

    private static byte[] realmEdited(Consumer<CBORObject> edit) throws Exception {
        return token(399, edit, m -> { }, c -> { });
    }

    private static byte[] platformEdited(Consumer<CBORObject> edit) throws Exception {
        return token(907, m -> { }, edit, c -> { });
    }

    private static TokenDecodeException fails(byte[] token, Failure failure, String whereContains) {
        TokenDecodeException e = assertThrows(TokenDecodeException.class, () -> CcaTokenDecoder.decode(token));
        assertEquals(failure, e.failure(), e::getMessage);
        assertTrue(e.where().contains(whereContains), () -> "where=" + e.where());
        return e;
    }

    @Test
    void decode_validBaseline_decodes() throws Exception {
        CcaTokenDecoder.decode(token(399, m -> { }, m -> { }, c -> { }));
        CcaTokenDecoder.decode(token(907, m -> { }, m -> { }, c -> { }));
    }

    @Test
    void decode_wrongTopLevelTag_wrongTag() throws Exception {
        byte[] good = token(399, m -> { }, m -> { }, c -> { });
        CBORObject untagged = CBORObject.DecodeFromBytes(good).Untag();
        fails(untagged.EncodeToBytes(), Failure.WRONG_TAG, "token");
        fails(CBORObject.FromObjectAndTag(untagged, 18).EncodeToBytes(), Failure.WRONG_TAG, "token");
        fails(CBORObject.FromObjectAndTag(CBORObject.FromObjectAndTag(untagged, 399), 907).EncodeToBytes(),
                Failure.WRONG_TAG, "token");
    }

    @Test
    void decode_veraisonWrongTagVector_wrongTag() {
        // Veraison's TestEvidence_UnmarshalCBOR_wrong_top_level_tag input: a bare COSE_Sign1.
        fails(HexFormat.of().parseHex("d28443a10126a0581ea11901097818687474703a2f2f61726d2e636f6d2f7073612f332e302e3044deadbeef"),
                Failure.WRONG_TAG, "token");
    }

    @Test
    void decode_missingRealm_missing() throws Exception {
        fails(token(399, m -> { }, m -> { }, c -> c.Remove(CBORObject.FromObject(44241))), Failure.MISSING, "44241");
    }

    @Test
    void decode_cmwWithoutPlatform_missing() throws Exception {
        fails(token(907, m -> { }, m -> { }, c -> c.Remove(CBORObject.FromObject(44234))), Failure.MISSING, "44234");
    }

    @Test
    void decode_extraCollectionEntry_unexpected() throws Exception {
        fails(token(399, m -> { }, m -> { }, c -> c.Add(44242, new byte[1])), Failure.UNEXPECTED, "collection");
    }

    @Test
    void decode_cmwWrongContentFormat_unexpected() throws Exception {
        fails(token(907, m -> { }, m -> { }, c -> c.get(CBORObject.FromObject(44241)).Set(0, 264)),
                Failure.UNEXPECTED, "44241");
    }

    @Test
    void decode_eatEntryNotByteString_wrongType() throws Exception {
        fails(token(399, m -> { }, m -> { }, c -> c.Set(44234, "text")), Failure.WRONG_TYPE, "44234");
    }

    @Test
    void decode_entryNotCoseSign1_badCose() throws Exception {
        fails(token(399, m -> { }, m -> { }, c -> c.Set(44241, new byte[] {(byte) 0x80})), Failure.BAD_COSE, "44241");
    }

    @Test
    void decode_remsThree_wrongCount() throws Exception {
        fails(realmEdited(m -> m.get(CBORObject.FromObject(44239)).RemoveAt(3)), Failure.WRONG_COUNT, "44239");
    }

    @Test
    void decode_remsFive_wrongCount() throws Exception {
        fails(realmEdited(m -> m.get(CBORObject.FromObject(44239)).Add(new byte[32])), Failure.WRONG_COUNT, "44239");
    }

    @Test
    void decode_remWrongSize_wrongSize() throws Exception {
        fails(realmEdited(m -> m.get(CBORObject.FromObject(44239)).Set(2, new byte[20])), Failure.WRONG_SIZE, "44239");
    }

    @Test
    void decode_challengeNot64Bytes_wrongSize() throws Exception {
        fails(realmEdited(m -> m.Set(10, new byte[32])), Failure.WRONG_SIZE, "realm claim 10");
    }

    @Test
    void decode_challengeText_wrongType() throws Exception {
        fails(realmEdited(m -> m.Set(10, "A".repeat(64))), Failure.WRONG_TYPE, "realm claim 10");
    }

    @Test
    void decode_rimMissing_missing() throws Exception {
        fails(realmEdited(m -> m.Remove(CBORObject.FromObject(44238))), Failure.MISSING, "44238");
    }

    @Test
    void decode_unknownHashAlgorithm_unexpected() throws Exception {
        fails(realmEdited(m -> m.Set(44240, "md5")), Failure.UNEXPECTED, "44240");
    }

    @Test
    void decode_rakGarbage_badKey() throws Exception {
        fails(realmEdited(m -> m.Set(44237, new byte[] {7, 7, 7})), Failure.BAD_KEY, "44237");
    }

    @Test
    void decode_rakPointNotOnCurve_badKey() throws Exception {
        byte[] point = new byte[97];
        point[0] = 4;
        Arrays.fill(point, 1, 97, (byte) 0x11);
        fails(realmEdited(m -> m.Set(44237, point)), Failure.BAD_KEY, "44237");
    }

    @Test
    void decode_platformLifecycleText_wrongType() throws Exception {
        fails(platformEdited(m -> m.Set(2395, "secured")), Failure.WRONG_TYPE, "platform claim 2395");
    }

    @Test
    void decode_platformInstanceIdShort_wrongSize() throws Exception {
        fails(platformEdited(m -> m.Set(256, new byte[32])), Failure.WRONG_SIZE, "platform claim 256");
    }

    @Test
    void decode_swComponentWithoutSigner_missing() throws Exception {
        fails(platformEdited(m -> m.get(CBORObject.FromObject(2399)).get(0).Remove(CBORObject.FromObject(5))),
                Failure.MISSING, "2399");
    }

    @Test
    void decode_platformProfileMissing_missing() throws Exception {
        fails(platformEdited(m -> m.Remove(CBORObject.FromObject(265))), Failure.MISSING, "platform claim 265");
    }

    @Test
    void decode_tooLarge_tooLarge() {
        fails(new byte[CcaTokenDecoder.MAX_TOKEN_BYTES + 1], Failure.TOO_LARGE, "token");
    }

    @Test
    void decode_trailingBytes_malformed() throws Exception {
        byte[] good = token(399, m -> { }, m -> { }, c -> { });
        fails(Arrays.copyOf(good, good.length + 1), Failure.MALFORMED_CBOR, "token");
    }

    @Test
    void decode_indefiniteLength_malformed() {
        fails(HexFormat.of().parseHex("d9018fbf19acd140ff"), Failure.MALFORMED_CBOR, "token");
    }

    @Test
    void decode_lengthBeyondInput_malformed() {
        // tag 399, map(1), 44241: bstr claiming 2^63 bytes
        fails(HexFormat.of().parseHex("d9018fa119acd15b7fffffffffffffff00"), Failure.MALFORMED_CBOR, "token");
    }

    @Test
    void decode_nestingTooDeep_malformed() {
        byte[] deep = new byte[200];
        Arrays.fill(deep, (byte) 0x81);
        deep[0] = (byte) 0xd9;
        deep[1] = 0x01;
        deep[2] = (byte) 0x8f;
        deep[199] = 0;
        fails(deep, Failure.MALFORMED_CBOR, "token");
    }

    @Test
    void decode_duplicateMapKey_malformed() {
        // tag 399 {44241: h'', 44241: h''}
        fails(HexFormat.of().parseHex("d9018fa219acd14019acd140"), Failure.MALFORMED_CBOR, "token");
    }

    @Test
    void decode_empty_malformed() {
        fails(new byte[0], Failure.MALFORMED_CBOR, "token");
    }
}
