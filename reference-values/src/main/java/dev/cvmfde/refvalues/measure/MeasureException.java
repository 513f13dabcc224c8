package dev.cvmfde.refvalues.measure;

/** A boot component that cannot be measured; {@link #kind()} says which check failed. */
public final class MeasureException extends Exception {
    /** The check that failed. */
    public enum Kind {
        /** The file is not a well-formed PE/COFF image (the message names the field). */
        PE_MALFORMED,
        /** A file exceeds its named size limit. */
        TOO_LARGE,
        /** A gzip-compressed kernel does not decompress. */
        BAD_COMPRESSION,
        /** A boot file the measurement needs was not found. */
        NOT_FOUND,
        /** Several candidates fit and none is preferred. */
        AMBIGUOUS
    }

    private final Kind kind;

    public MeasureException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public MeasureException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
