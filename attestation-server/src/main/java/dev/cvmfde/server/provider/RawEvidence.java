package dev.cvmfde.server.provider;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Evidence as a provider produced it: the token bytes exactly as the TEE returned them (CBOR for
 * CCA/virtCCA, a vendor report for other TSM providers), the raw CCEL event log if the platform
 * has one, and any certificates the TEE handed out. Nothing here is parsed or verified. Arrays are
 * copied on the way in and on the way out, so a holder can never change what another holder sees.
 *
 * @param provider which provider and format produced the token: {@code virtcca}, or
 *     {@code tsm:<kernel provider>} such as {@code tsm:arm_cca_guest}
 * @param token the attestation token, never empty
 * @param eventLog the CCEL log area bytes (TCG2 crypto-agile log, possibly followed by padding)
 * @param certificateChain certificates or certificate tables as the TEE returned them, leaf first
 */
public record RawEvidence(String provider, byte[] token, Optional<byte[]> eventLog, List<byte[]> certificateChain) {

    public RawEvidence {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(eventLog, "eventLog");
        Objects.requireNonNull(certificateChain, "certificateChain");
        if (provider.isBlank()) {
            throw new IllegalArgumentException("provider name is blank");
        }
        if (token.length == 0) {
            throw new IllegalArgumentException("token is empty");
        }
        token = token.clone();
        eventLog = eventLog.map(byte[]::clone);
        certificateChain = certificateChain.stream()
                .map(c -> Objects.requireNonNull(c, "certificate").clone())
                .toList();
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
    public List<byte[]> certificateChain() {
        return certificateChain.stream().map(byte[]::clone).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawEvidence other
                && provider.equals(other.provider)
                && Arrays.equals(token, other.token)
                && Arrays.equals(eventLog.orElse(null), other.eventLog.orElse(null))
                && eventLog.isPresent() == other.eventLog.isPresent()
                && sameChain(certificateChain, other.certificateChain);
    }

    private static boolean sameChain(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = provider.hashCode() * 31 + Arrays.hashCode(token);
        h = h * 31 + eventLog.map(Arrays::hashCode).orElse(0);
        for (byte[] c : certificateChain) {
            h = h * 31 + Arrays.hashCode(c);
        }
        return h;
    }

    /** Sizes only: evidence is not secret, but dumping it into logs helps nobody. */
    @Override
    public String toString() {
        return "RawEvidence[provider=" + provider + ", token=" + token.length + " bytes, eventLog="
                + eventLog.map(l -> l.length + " bytes").orElse("none") + ", certificateChain="
                + certificateChain.size() + " entries]";
    }
}
