package dev.cvmfde.protocol.token;

import java.util.Objects;
import java.util.Optional;

/**
 * A CCA or virtCCA attestation token that has been decoded but not verified: no signature,
 * binding or freshness has been checked. Only {@link CcaTokenDecoder} makes one. The platform
 * part is absent in virtCCA's cVM-only form (tag 399 map with just 44241).
 */
public final class UnverifiedCcaToken {

    private final CollectionForm form;
    private final UnverifiedPlatformToken platform;
    private final UnverifiedRealmToken realm;
    private final byte[] encoded;

    UnverifiedCcaToken(CollectionForm form, UnverifiedPlatformToken platform, UnverifiedRealmToken realm,
            byte[] encoded) {
        this.form = Objects.requireNonNull(form);
        this.platform = platform;
        this.realm = Objects.requireNonNull(realm);
        this.encoded = encoded.clone();
    }

    /** The outer collection encoding. */
    public CollectionForm form() {
        return form;
    }

    /** The platform token, absent in the virtCCA cVM-only form. */
    public Optional<UnverifiedPlatformToken> platform() {
        return Optional.ofNullable(platform);
    }

    /** The realm (cVM) token. */
    public UnverifiedRealmToken realm() {
        return realm;
    }

    /** The whole token as decoded (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    @Override
    public String toString() {
        return "UnverifiedCcaToken[" + form + (platform == null ? ", cVM only" : "") + ", realm payload "
                + realm.payloadForm() + ", " + encoded.length + " B]";
    }
}
