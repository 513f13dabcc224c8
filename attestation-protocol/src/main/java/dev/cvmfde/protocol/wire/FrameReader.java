package dev.cvmfde.protocol.wire;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Blocking frame input for the client CLI and simple tools: 4-byte big-endian length, then
 * that many bytes of JSON. The length is checked against the limit of what may come next
 * before anything is allocated. Read timeouts are the socket's ({@code setSoTimeout}); they
 * surface as {@link java.net.SocketTimeoutException}.
 */
public final class FrameReader {
    /** Size of the big-endian length prefix. */
    public static final int LENGTH_PREFIX_BYTES = 4;

    private final InputStream in;

    public FrameReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * Reads one message, which must be one of {@code expect}.
     *
     * @throws WireException with {@link WireError.PeerClosed} if the stream ended between frames,
     *     or another {@link WireError} if the frame is bad; the stream is then out of step and
     *     should be closed
     */
    public Message read(Expect expect) throws IOException, WireException {
        byte[] prefix = in.readNBytes(LENGTH_PREFIX_BYTES);
        if (prefix.length == 0) {
            throw new WireException(new WireError.PeerClosed());
        }
        if (prefix.length < LENGTH_PREFIX_BYTES) {
            throw new WireException(new WireError.Truncated(LENGTH_PREFIX_BYTES, prefix.length));
        }
        long length = ((prefix[0] & 0xffL) << 24) | ((prefix[1] & 0xffL) << 16) | ((prefix[2] & 0xffL) << 8)
                | (prefix[3] & 0xffL);
        checkLength(length, expect);
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new WireException(new WireError.Truncated(length, body.length));
        }
        return MessageJson.decode(body, expect);
    }

    /** The checks every reader makes on a length prefix, before allocating. */
    static void checkLength(long length, Expect expect) throws WireException {
        if (length == 0) {
            throw new WireException(new WireError.EmptyFrame());
        }
        if (length > expect.maxFrameBytes()) {
            throw new WireException(new WireError.Oversized(length, expect.maxFrameBytes(), expect.toString()));
        }
    }
}
