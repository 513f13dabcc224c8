package dev.cvmfde.server.internal;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.WireLimits;
import dev.cvmfde.server.provider.RawEvidence;
import java.util.Locale;

/** Turns a provider's {@link RawEvidence} into the wire {@link Evidence} message. */
public final class EvidenceMessages {

    private EvidenceMessages() {
    }

    /**
     * The evidence message for {@code raw} and the session's ephemeral public key.
     *
     * @throws IllegalArgumentException if the provider's output exceeds a wire limit (e.g. an
     *     event log over {@link WireLimits#MAX_EVENT_LOG_BYTES}); the message says which
     */
    public static Evidence toWire(RawEvidence raw, ECKey ephemeralPublic) {
        return new Evidence(raw.token(), raw.eventLog(), raw.certificateChain(), ephemeralPublic,
                wireProviderName(raw.provider()));
    }

    /**
     * Provider names on the wire are {@code [a-z0-9._-]}, at most 32 characters: the tsm
     * provider's {@code tsm:arm_cca_guest} becomes {@code tsm.arm_cca_guest}.
     */
    public static String wireProviderName(String provider) {
        String name = provider.toLowerCase(Locale.ROOT).replace(':', '.').replaceAll("[^a-z0-9._-]", "-");
        name = name.replaceFirst("^[^a-z0-9]+", "");
        if (name.length() > WireLimits.MAX_PROVIDER_CHARS) {
            name = name.substring(0, WireLimits.MAX_PROVIDER_CHARS);
        }
        return name.isEmpty() ? "unknown" : name;
    }
}
