package dev.cvmfde.protocol.wire;

import io.netty.channel.ChannelPipeline;

/**
 * Installs the wire codecs at the end of a pipeline (after TLS and timeout handlers, before the
 * protocol handler) and switches what the connection may receive next:
 * <pre>{@code
 * WireCodec codec = WireCodec.install(ch.pipeline(), Expect.GUEST_AWAITING_REQUEST);
 * ch.pipeline().addLast(new GuestHandler(codec));   // calls codec.expect(...) as the state moves
 * }</pre>
 * Handler names: {@value #FRAME_DECODER}, {@value #MESSAGE_DECODER}, {@value #MESSAGE_ENCODER}.
 */
public final class WireCodec {
    public static final String FRAME_DECODER = "wire-frame-decoder";
    public static final String MESSAGE_DECODER = "wire-message-decoder";
    public static final String MESSAGE_ENCODER = "wire-message-encoder";

    private final FrameDecoder frameDecoder;
    private final MessageDecoder messageDecoder;

    private WireCodec(Expect first) {
        this.frameDecoder = new FrameDecoder(first);
        this.messageDecoder = new MessageDecoder(first);
    }

    /** Adds frame decoder, message decoder and encoder; returns the handle for this connection. */
    public static WireCodec install(ChannelPipeline pipeline, Expect first) {
        WireCodec codec = new WireCodec(first);
        pipeline.addLast(FRAME_DECODER, codec.frameDecoder);
        pipeline.addLast(MESSAGE_DECODER, codec.messageDecoder);
        pipeline.addLast(MESSAGE_ENCODER, MessageEncoder.INSTANCE);
        return codec;
    }

    /**
     * What the connection may receive next (frame limit and allowed types). Call on the event
     * loop before writing the message that the peer will answer, e.g.
     * {@code codec.expect(Expect.HOST_AWAITING_ACK); ctx.writeAndFlush(release)}.
     */
    public void expect(Expect next) {
        frameDecoder.expect(next);
        messageDecoder.expect(next);
    }

    public Expect expect() {
        return frameDecoder.expect();
    }
}
