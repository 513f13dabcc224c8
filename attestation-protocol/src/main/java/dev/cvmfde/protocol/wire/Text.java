package dev.cvmfde.protocol.wire;

/** Bounds for the short human-readable strings the protocol carries. */
final class Text {
    private Text() {
    }

    /** Refuses null, over-long text and control characters (they could rewrite a terminal). */
    static String check(String value, String field, int maxChars, boolean allowEmpty) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (value.length() > maxChars || (!allowEmpty && value.isEmpty())) {
            throw new IllegalArgumentException(field + " holds " + value.length() + " characters; "
                    + (allowEmpty ? 0 : 1) + " to " + maxChars + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(field + " has a control character at position " + (i + 1));
            }
        }
        return value;
    }

    /** Makes arbitrary text acceptable to {@link #check}: controls become spaces, then cut to size. */
    static String sanitize(String value, int maxChars) {
        StringBuilder out = new StringBuilder(Math.min(value == null ? 0 : value.length(), maxChars));
        if (value != null) {
            for (int i = 0; i < value.length() && out.length() < maxChars; i++) {
                char c = value.charAt(i);
                out.append(Character.isISOControl(c) ? ' ' : c);
            }
        }
        if (out.length() > 0 && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }
}
