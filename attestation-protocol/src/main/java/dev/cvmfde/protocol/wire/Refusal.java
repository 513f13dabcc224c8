package dev.cvmfde.protocol.wire;

import java.util.List;
import java.util.regex.Pattern;

/** Verifier → guest: no key, and why (one reason per failed check, at least one). */
public record Refusal(List<Reason> reasons) implements Message {

    /**
     * One failed check: {@code check} is the verification step's short name
     * ({@code [a-z0-9._-]}, e.g. {@code freshness}), {@code message} says what was expected and
     * what came (no control characters).
     */
    public record Reason(String check, String message) {
        private static final Pattern CHECK = Pattern.compile("[a-z0-9][a-z0-9._-]*");

        public Reason {
            Text.check(check, "reason check", WireLimits.MAX_CHECK_CHARS, false);
            if (!CHECK.matcher(check).matches()) {
                throw new IllegalArgumentException("reason check must be [a-z0-9._-] starting with a letter or digit");
            }
            Text.check(message, "reason message", WireLimits.MAX_TEXT_CHARS, true);
        }

        /** A reason from arbitrary verifier text: control characters replaced, message cut to the limit. */
        public static Reason truncating(String check, String message) {
            return new Reason(check, Text.sanitize(message, WireLimits.MAX_TEXT_CHARS));
        }
    }

    public Refusal {
        if (reasons == null || reasons.isEmpty()) {
            throw new IllegalArgumentException("a refusal needs at least one reason");
        }
        if (reasons.size() > WireLimits.MAX_REASONS) {
            throw new IllegalArgumentException("refusal holds " + reasons.size() + " reasons; at most "
                    + WireLimits.MAX_REASONS + " are allowed");
        }
        reasons = List.copyOf(reasons);
    }

    /** A refusal of at most {@link WireLimits#MAX_REASONS} reasons; later ones are dropped. */
    public static Refusal firstOf(List<Reason> reasons) {
        return new Refusal(reasons.subList(0, Math.min(reasons.size(), WireLimits.MAX_REASONS)));
    }

    @Override
    public MessageType type() {
        return MessageType.REFUSAL;
    }
}
