package dev.cvmfde.agent.luks;

/**
 * The LUKS header on the disk (or the volume key it yields) is not the one the image builder
 * recorded: the agent refuses to open it. {@link #field()} names the header field ({@code
 * segments.0.encryption}, {@code keyslots}, {@code volume key}); the message gives expected and
 * actual values, never key bytes.
 */
public final class HeaderRefusedException extends Exception {
    private final String field;

    public HeaderRefusedException(String field, String message) {
        super("LUKS header: " + field + ": " + message);
        this.field = field;
    }

    /** A field whose value is not the recorded one. */
    public static HeaderRefusedException mismatch(String field, Object expected, Object actual) {
        return new HeaderRefusedException(field, "expected " + expected + ", found " + actual);
    }

    public String field() {
        return field;
    }
}
