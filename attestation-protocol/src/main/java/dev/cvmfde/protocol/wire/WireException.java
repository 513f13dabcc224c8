package dev.cvmfde.protocol.wire;

import java.util.Optional;

/**
 * A frame that could not be read or written, with the typed {@link WireError}. In a Netty
 * pipeline the decoders' exceptions arrive wrapped in a {@code DecoderException}; use
 * {@link #findIn(Throwable)} in {@code exceptionCaught}.
 */
public final class WireException extends Exception {
    private final WireError error;

    public WireException(WireError error) {
        super(error.describe(), null, false, false);
        this.error = error;
    }

    public WireError error() {
        return error;
    }

    /** The wire error in {@code cause} or its causes, if any. */
    public static Optional<WireException> findIn(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof WireException wire) {
                return Optional.of(wire);
            }
        }
        return Optional.empty();
    }
}
