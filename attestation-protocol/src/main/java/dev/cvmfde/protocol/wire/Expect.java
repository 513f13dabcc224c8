package dev.cvmfde.protocol.wire;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The message types a receiver accepts next. Its frame limit is the largest limit among them,
 * so a guest waiting for a request never buffers an evidence-sized frame.
 */
public record Expect(Set<MessageType> types) {

    /** Guest (attestation server), first message of a connection. */
    public static final Expect GUEST_AWAITING_REQUEST = of(MessageType.EVIDENCE_REQUEST);
    /** Guest, after sending evidence: the verifier's verdict. */
    public static final Expect GUEST_AWAITING_VERDICT = of(MessageType.RELEASE, MessageType.REFUSAL);
    /** Guest, after sending TPM evidence: a credential challenge first, or already the verdict. */
    public static final Expect GUEST_AWAITING_CHALLENGE_OR_VERDICT = of(MessageType.CREDENTIAL_CHALLENGE,
            MessageType.RELEASE, MessageType.REFUSAL);
    /** Host, after sending a credential challenge. */
    public static final Expect HOST_AWAITING_CREDENTIAL = of(MessageType.CREDENTIAL_RESPONSE);
    /** Host (verifier), after sending the request. */
    public static final Expect HOST_AWAITING_EVIDENCE = of(MessageType.EVIDENCE);
    /** Host, after sending a release or refusal. */
    public static final Expect HOST_AWAITING_ACK = of(MessageType.ACK);

    public Expect {
        if (types == null || types.isEmpty()) {
            throw new IllegalArgumentException("expect at least one message type");
        }
        types = Collections.unmodifiableSet(EnumSet.copyOf(types));
    }

    public static Expect of(MessageType first, MessageType... rest) {
        return new Expect(EnumSet.of(first, rest));
    }

    /** Largest JSON body any expected type may have. */
    public int maxFrameBytes() {
        return types.stream().mapToInt(MessageType::maxFrameBytes).max().orElseThrow();
    }

    public boolean accepts(MessageType type) {
        return types.contains(type);
    }

    @Override
    public String toString() {
        return types.stream().map(MessageType::wireName).collect(Collectors.joining(" or "));
    }
}
