package dev.cvmfde.client.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of an image in the store, as the image builder writes it into the guest's measured
 * agent config and the guest sends it to a broker: 1 to {@value #MAX_CHARS} characters of
 * {@code a-z 0-9 . _ -}, starting with a letter or digit. The form is checked here, once, so it
 * is safe as a file name, a SQL parameter and a log field.
 */
public record ImageId(String value) implements Comparable<ImageId> {
    /** Longest image id accepted. */
    public static final int MAX_CHARS = 64;
    private static final Pattern FORM = Pattern.compile("[a-z0-9][a-z0-9._-]{0," + (MAX_CHARS - 1) + "}");

    public ImageId {
        Objects.requireNonNull(value, "value");
        if (!FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("image id " + quoted(value) + " is not allowed: 1 to " + MAX_CHARS
                    + " characters of a-z 0-9 . _ -, starting with a letter or digit");
        }
    }

    /** Parses {@code value}; {@link IllegalArgumentException} names what is allowed. */
    public static ImageId of(String value) {
        return new ImageId(value);
    }

    /** True if {@code value} is a well-formed image id. */
    public static boolean isValid(String value) {
        return value != null && FORM.matcher(value).matches();
    }

    private static String quoted(String value) {
        String shown = value.length() > MAX_CHARS ? value.substring(0, MAX_CHARS) + "…(" + value.length() + " chars)" : value;
        return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }

    @Override
    public int compareTo(ImageId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
