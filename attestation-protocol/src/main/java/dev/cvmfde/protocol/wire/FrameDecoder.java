package dev.cvmfde.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * First inbound handler: splits the byte stream into frame bodies ({@link ByteBuf}s, passed on
 * to {@link MessageDecoder}). The length prefix is checked against the limit of {@link #expect}
 * as soon as its 4 bytes arrive, before the body is buffered. After an error the decoder
 * discards all further input (the stream is out of step); the handler closes the channel.
 * Errors reach {@code exceptionCaught} as a {@code DecoderException} whose cause is a
 * {@link WireException}. One instance per connection.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private Expect expect;
    private boolean failed;

    public FrameDecoder(Expect expect) {
        this.expect = Objects.requireNonNull(expect, "expect");
    }

    /** Sets what may come next; call on the channel's event loop (e.g. from the handler). */
    public void expect(Expect next) {
        this.expect = Objects.requireNonNull(next, "next");
    }

    public Expect expect() {
        return expect;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws WireException {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameReader.LENGTH_PREFIX_BYTES) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        try {
            FrameReader.checkLength(length, expect);
        } catch (WireException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (in.readableBytes() < FrameReader.LENGTH_PREFIX_BYTES + length) {
            return;
        }
        in.skipBytes(FrameReader.LENGTH_PREFIX_BYTES);
        out.add(in.readRetainedSlice((int) length));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws WireException {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            long expected = in.readableBytes() < FrameReader.LENGTH_PREFIX_BYTES
                    ? FrameReader.LENGTH_PREFIX_BYTES
                    : FrameReader.LENGTH_PREFIX_BYTES + in.getUnsignedInt(in.readerIndex());
            long received = in.readableBytes();
            in.skipBytes(in.readableBytes());
            failed = true;
            throw new WireException(new WireError.Truncated(expected, received));
        }
    }
}
