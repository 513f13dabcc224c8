package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One TCG_PCR_EVENT2: register index (PCR, or CC MR index in a CCEL log), event type, the
 * digests (one per bank) and the event data.
 */
public record LogEvent(int index, int type, List<EventDigest> digests, byte[] data) {
    public LogEvent {
        digests = List.copyOf(digests);
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    /** The digest for {@code alg}, if the event carries one. */
    public Optional<Digest> digest(DigestAlgorithm alg) {
        return digests.stream().filter(d -> d.algId() == alg.tpmAlgId()).findFirst().flatMap(EventDigest::digest);
    }

    /** The event data as text: printable ASCII with a trailing NUL dropped (grub's strings). */
    public String dataAsText() {
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        return new String(data, 0, end, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEvent e && e.index == index && e.type == type && e.digests.equals(digests)
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return (index * 31 + type) * 31 + digests.hashCode();
    }

    @Override
    public String toString() {
        return "LogEvent[" + index + ", " + EventType.name(type) + ", " + digests + ", " + data.length + " bytes]";
    }
}
