package dev.cvmfde.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * Second inbound handler: one frame body (from {@link FrameDecoder}) → one {@link Message}, which
 * must be one of {@link #expect}. Errors reach {@code exceptionCaught} as a
 * {@code DecoderException} whose cause is a {@link WireException}. One instance per connection.
 */
public final class MessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private Expect expect;

    public MessageDecoder(Expect expect) {
        super(ByteBuf.class);
        this.expect = Objects.requireNonNull(expect, "expect");
    }

    /** Sets what may come next; call on the channel's event loop. */
    public void expect(Expect next) {
        this.expect = Objects.requireNonNull(next, "next");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws WireException {
        out.add(MessageJson.decode(ByteBufUtil.getBytes(frame), expect));
    }
}
