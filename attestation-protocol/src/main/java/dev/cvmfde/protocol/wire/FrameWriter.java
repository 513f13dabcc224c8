package dev.cvmfde.protocol.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** Blocking frame output: length prefix and JSON body in one write, then flush. */
public final class FrameWriter {
    private final OutputStream out;

    public FrameWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    public void write(Message message) throws IOException, WireException {
        out.write(frame(message));
        out.flush();
    }

    /** The complete frame (prefix and body) of {@code message}. */
    public static byte[] frame(Message message) throws WireException {
        byte[] body = MessageJson.encode(message);
        byte[] frame = new byte[FrameReader.LENGTH_PREFIX_BYTES + body.length];
        frame[0] = (byte) (body.length >>> 24);
        frame[1] = (byte) (body.length >>> 16);
        frame[2] = (byte) (body.length >>> 8);
        frame[3] = (byte) body.length;
        System.arraycopy(body, 0, frame, FrameReader.LENGTH_PREFIX_BYTES, body.length);
        return frame;
    }
}
