package dev.cvmfde.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Outbound: {@link Message} → length prefix + JSON body. A message too large for its type
 * fails the write's future (an {@code EncoderException} caused by a {@link WireException});
 * nothing is written. Stateless and shared.
 */
@ChannelHandler.Sharable
public final class MessageEncoder extends MessageToByteEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message message, ByteBuf out) throws WireException {
        byte[] body = MessageJson.encode(message);
        out.writeInt(body.length);
        out.writeBytes(body);
    }
}
