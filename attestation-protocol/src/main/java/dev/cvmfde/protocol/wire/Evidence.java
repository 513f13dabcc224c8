package dev.cvmfde.protocol.wire;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Guest → verifier: the attestation token (its challenge is
 * {@link ChallengeBinding#challenge(byte[], ECKey)} of the request's nonce and
 * {@code ephemeralKey}), the optional event log and platform certificate chain (DER), the
 * guest's ephemeral public key (EC P-256 or P-384, never a private part) and the name of the
 * evidence provider. Arrays are copied in and out.
 */
public record Evidence(byte[] token, Optional<byte[]> eventLog, List<byte[]> certChain,
                       ECKey ephemeralKey, String provider) implements Message {

    /** Curves accepted for the guest's ephemeral key. */
    public static final Set<Curve> EPHEMERAL_KEY_CURVES = Set.of(Curve.P_256, Curve.P_384);
    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public Evidence {
        token = checkedCopy(token, "token", WireLimits.MAX_TOKEN_BYTES);
        eventLog = Objects.requireNonNull(eventLog, "eventLog (use Optional.empty())")
                .map(log -> checkedCopy(log, "eventLog", WireLimits.MAX_EVENT_LOG_BYTES));
        certChain = copyChain(certChain);
        checkEphemeralKey(ephemeralKey);
        checkProvider(provider);
    }

    public Evidence(byte[] token, ECKey ephemeralKey, String provider) {
        this(token, Optional.empty(), List.of(), ephemeralKey, provider);
    }

    private static byte[] checkedCopy(byte[] bytes, String field, int max) {
        if (bytes == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (bytes.length == 0 || bytes.length > max) {
            throw new IllegalArgumentException(field + " holds " + bytes.length + " bytes; 1 to " + max + " are allowed");
        }
        return bytes.clone();
    }

    private static List<byte[]> copyChain(List<byte[]> chain) {
        if (chain == null) {
            throw new IllegalArgumentException("certChain is required (use an empty list)");
        }
        if (chain.size() > WireLimits.MAX_CERT_CHAIN_LENGTH) {
            throw new IllegalArgumentException("certChain holds " + chain.size() + " certificates; at most "
                    + WireLimits.MAX_CERT_CHAIN_LENGTH + " are allowed");
        }
        return chain.stream().map(cert -> checkedCopy(cert, "certChain entry", WireLimits.MAX_CERT_BYTES)).toList();
    }

    private static void checkEphemeralKey(ECKey key) {
        if (key == null) {
            throw new IllegalArgumentException("ephemeralKey is required");
        }
        if (key.isPrivate()) {
            throw new IllegalArgumentException("ephemeralKey has a private part (d); only the public key may be sent");
        }
        if (!EPHEMERAL_KEY_CURVES.contains(key.getCurve())) {
            throw new IllegalArgumentException("ephemeralKey is on curve " + key.getCurve() + "; P-256 or P-384 is required");
        }
    }

    private static void checkProvider(String provider) {
        if (provider == null || provider.isEmpty() || provider.length() > WireLimits.MAX_PROVIDER_CHARS
                || !PROVIDER.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider must be 1 to " + WireLimits.MAX_PROVIDER_CHARS
                    + " characters of [a-z0-9._-] starting with a letter or digit");
        }
    }

    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public Optional<byte[]> eventLog() {
        return eventLog.map(byte[]::clone);
    }

    @Override
    public List<byte[]> certChain() {
        return certChain.stream().map(byte[]::clone).toList();
    }

    @Override
    public MessageType type() {
        return MessageType.EVIDENCE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Evidence other
                && Arrays.equals(token, other.token)
                && Arrays.equals(eventLog.orElse(null), other.eventLog.orElse(null))
                && certChain.size() == other.certChain.size()
                && java.util.stream.IntStream.range(0, certChain.size())
                        .allMatch(i -> Arrays.equals(certChain.get(i), other.certChain.get(i)))
                && ephemeralKey.equals(other.ephemeralKey)
                && provider.equals(other.provider);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(token), provider, ephemeralKey);
    }

    @Override
    public String toString() {
        return "Evidence[token=" + token.length + " bytes, eventLog="
                + eventLog.map(log -> log.length + " bytes").orElse("none")
                + ", certChain=" + certChain.size() + " certificates, ephemeralKey=" + ephemeralKey.getCurve()
                + " " + thumbprintOrUnknown() + ", provider=" + provider + "]";
    }

    private String thumbprintOrUnknown() {
        try {
            return ephemeralKey.computeThumbprint().toString();
        } catch (JOSEException e) {
            return "(no thumbprint)";
        }
    }
}
