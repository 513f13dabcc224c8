package dev.cvmfde.protocol.token;

import com.upokecenter.cbor.CBORObject;
import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.cose.SignatureEncoding;
import dev.cvmfde.protocol.token.internal.PlatformClaimsCodec;
import dev.cvmfde.protocol.token.internal.RealmClaimsCodec;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Objects;

/**
 * Builds and signs a CCA token collection, for the simulated TEE and for tests. The realm
 * token is signed with the RAK, the platform token with the CPAK; unless overridden, the
 * platform challenge is set to the hash of the RAK claim bytes with the algorithm of claim
 * 44240, as RMM does. The builder does not check that the RAK key pair matches the key in the
 * realm claims, so tests can build tokens that a verifier must refuse.
 *
 * <pre>{@code
 * byte[] token = CcaTokenBuilder.of(CollectionForm.CMW_907)
 *         .realm(realmClaims, CoseAlgorithm.ES384, rakKeyPair)
 *         .platform(platformClaims, CoseAlgorithm.ES384, cpakKeyPair)
 *         .build();
 * }</pre>
 */
public final class CcaTokenBuilder {

    private final CollectionForm form;
    private RealmClaims realm;
    private CoseAlgorithm realmAlg;
    private KeyPair rak;
    private PlatformClaims platform;
    private CoseAlgorithm platformAlg;
    private KeyPair cpak;
    private byte[] platformChallengeOverride;
    private RealmPayloadForm realmPayloadForm = RealmPayloadForm.MAP;
    private SignatureEncoding signatureEncoding = SignatureEncoding.RAW;
    private CoseSign1 signedPlatform;
    private java.security.Provider signingProvider;
    private java.security.SecureRandom signingRandom;

    private CcaTokenBuilder(CollectionForm form) {
        this.form = Objects.requireNonNull(form);
    }

    /** A builder for the given outer form. */
    public static CcaTokenBuilder of(CollectionForm form) {
        return new CcaTokenBuilder(form);
    }

    /** The realm claims and the RAK key pair that signs them. */
    public CcaTokenBuilder realm(RealmClaims claims, CoseAlgorithm alg, KeyPair rakKeys) {
        this.realm = Objects.requireNonNull(claims);
        this.realmAlg = Objects.requireNonNull(alg);
        this.rak = Objects.requireNonNull(rakKeys);
        return this;
    }

    /** The platform claims (their challenge is replaced by the RAK binding) and the CPAK key pair. */
    public CcaTokenBuilder platform(PlatformClaims claims, CoseAlgorithm alg, KeyPair cpakKeys) {
        this.platform = Objects.requireNonNull(claims);
        this.platformAlg = Objects.requireNonNull(alg);
        this.cpak = Objects.requireNonNull(cpakKeys);
        return this;
    }

    /** Omits the platform token (virtCCA cVM-only form; tag 399 only). */
    public CcaTokenBuilder withoutPlatform() {
        this.platform = null;
        this.signedPlatform = null;
        return this;
    }

    /** Uses this platform challenge instead of the RAK binding (for negative tests). */
    public CcaTokenBuilder platformChallengeOverride(byte[] challenge) {
        this.platformChallengeOverride = challenge.clone();
        return this;
    }

    /** How the realm claims sit in the realm payload (virtCCA: {@link RealmPayloadForm#BSTR_WRAPPED}). */
    public CcaTokenBuilder realmPayloadForm(RealmPayloadForm payloadForm) {
        this.realmPayloadForm = Objects.requireNonNull(payloadForm);
        return this;
    }

    /** ECDSA signature layout for both tokens (virtCCA: {@link SignatureEncoding#DER}). */
    public CcaTokenBuilder signatureEncoding(SignatureEncoding encoding) {
        this.signatureEncoding = Objects.requireNonNull(encoding);
        return this;
    }

    /**
     * Uses this already signed platform token (from {@link #buildPlatform()}) instead of signing
     * one: a platform token depends only on the RAK, so a simulated TEE signs it once.
     */
    public CcaTokenBuilder signedPlatform(CoseSign1 token) {
        this.signedPlatform = Objects.requireNonNull(token);
        return this;
    }

    /** Signs with plain JCA from {@code provider} instead of COSE-Java (same token bytes). */
    public CcaTokenBuilder signingProvider(java.security.Provider provider) {
        this.signingProvider = Objects.requireNonNull(provider);
        return this;
    }

    /**
     * Signs with plain JCA from the default provider, drawing the ECDSA nonces and PSS salts from
     * {@code random} (instead of COSE-Java or a {@link #signingProvider}). With a seeded
     * {@code random} and seeded keys the token bytes are reproducible: for test corpora such as the
     * decoder fuzz test's, never for real keys.
     */
    public CcaTokenBuilder signingRandom(java.security.SecureRandom random) {
        this.signingRandom = Objects.requireNonNull(random);
        return this;
    }

    /** Signs only the platform token, bound to the realm claims' RAK, as {@link #build()} would. */
    public CoseSign1 buildPlatform() throws GeneralSecurityException {
        if (realm == null || platform == null) {
            throw new IllegalStateException("realm claims (for the RAK) and platform claims are required");
        }
        byte[] challenge = platformChallengeOverride != null ? platformChallengeOverride
                : realm.rakHashAlgorithm().digest(realm.rakClaimBytes());
        byte[] payload = PlatformClaimsCodec.encode(platform.withChallenge(challenge)).EncodeToBytes();
        return sign(platformAlg, cpak, payload);
    }

    private CoseSign1 sign(CoseAlgorithm alg, KeyPair keys, byte[] payload) throws GeneralSecurityException {
        if (signingRandom != null) {
            return CoseSign1.sign(alg, keys, payload, signatureEncoding, signingRandom);
        }
        return signingProvider == null ? CoseSign1.sign(alg, keys, payload, signatureEncoding)
                : CoseSign1.sign(alg, keys, payload, signatureEncoding, signingProvider);
    }

    /** Signs both tokens (or the realm token beside a {@link #signedPlatform}) and encodes the collection. */
    public byte[] build() throws GeneralSecurityException {
        if (realm == null) {
            throw new IllegalStateException("realm claims and RAK are required");
        }
        if (platform == null && signedPlatform == null && form == CollectionForm.CMW_907) {
            throw new IllegalStateException("the tag-907 form needs a platform token");
        }
        byte[] realmPayload = RealmClaimsCodec.encode(realm).EncodeToBytes();
        if (realmPayloadForm == RealmPayloadForm.BSTR_WRAPPED) {
            realmPayload = CBORObject.FromObject(realmPayload).EncodeToBytes();
        }
        CoseSign1 realmToken = sign(realmAlg, rak, realmPayload);
        CBORObject map = CBORObject.NewOrderedMap();
        if (signedPlatform != null) {
            map.Add(CcaTokenDecoder.PLATFORM_KEY, entry(signedPlatform));
        } else if (platform != null) {
            map.Add(CcaTokenDecoder.PLATFORM_KEY, entry(buildPlatform()));
        }
        map.Add(CcaTokenDecoder.REALM_KEY, entry(realmToken));
        return CBORObject.FromObjectAndTag(map, form.tag()).EncodeToBytes();
    }

    private CBORObject entry(CoseSign1 token) {
        CBORObject bstr = CBORObject.FromObject(token.encoded());
        if (form == CollectionForm.EAT_399) {
            return bstr;
        }
        return CBORObject.NewArray().Add(CollectionForm.CMW_CONTENT_FORMAT).Add(bstr);
    }
}
