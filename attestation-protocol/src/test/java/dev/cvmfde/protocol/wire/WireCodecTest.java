package dev.cvmfde.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WireCodecTest {
    private static final Expect ANY = new Expect(EnumSet.allOf(MessageType.class));

    static java.util.List<Message> messages() {
        return SampleMessages.all();
    }

    private static EmbeddedChannel channel(Expect first) {
        EmbeddedChannel channel = new EmbeddedChannel();
        WireCodec.install(channel.pipeline(), first);
        return channel;
    }

    @ParameterizedTest
    @MethodSource("messages")
    void codec_messageWrittenThenRead_equalsOriginal(Message message) {
        EmbeddedChannel sender = channel(ANY);
        assertTrue(sender.writeOutbound(message));
        ByteBuf frame = sender.readOutbound();
        EmbeddedChannel receiver = channel(ANY);
        receiver.writeInbound(frame);
        assertEquals(message, receiver.readInbound());
        assertFalse(receiver.finish());
    }

    @Test
    void codec_frameArrivesByteByByte_decodedOnce() throws Exception {
        Message message = SampleMessages.all().get(1);
        byte[] frame = FrameWriter.frame(message);
        EmbeddedChannel receiver = channel(Expect.HOST_AWAITING_EVIDENCE);
        for (int i = 0; i < frame.length - 1; i++) {
            receiver.writeInbound(Unpooled.wrappedBuffer(frame, i, 1));
            assertNull(receiver.readInbound());
        }
        receiver.writeInbound(Unpooled.wrappedBuffer(frame, frame.length - 1, 1));
        assertEquals(message, receiver.readInbound());
    }

    @Test
    void codec_twoFramesInOneRead_bothDecoded() throws Exception {
        byte[] first = FrameWriter.frame(new Ack(true, "one"));
        byte[] second = FrameWriter.frame(new Ack(false, "two"));
        EmbeddedChannel receiver = channel(Expect.HOST_AWAITING_ACK);
        receiver.writeInbound(Unpooled.wrappedBuffer(first, second));
        assertEquals(new Ack(true, "one"), receiver.readInbound());
        assertEquals(new Ack(false, "two"), receiver.readInbound());
    }

    @Test
    void frameDecoder_lengthMaxInt_oversizedBeforeAnyBody() {
        EmbeddedChannel receiver = channel(Expect.GUEST_AWAITING_REQUEST);
        DecoderException e = assertThrows(DecoderException.class,
                () -> receiver.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})));
        WireError.Oversized oversized = assertInstanceOf(WireError.Oversized.class, wireError(e));
        assertEquals(0x7fffffffL, oversized.length());
        assertEquals(WireLimits.MAX_EVIDENCE_REQUEST_FRAME_BYTES, oversized.limit());
    }

    @Test
    void frameDecoder_lengthWithHighBitSet_oversizedNotNegative() {
        EmbeddedChannel receiver = channel(Expect.HOST_AWAITING_EVIDENCE);
        DecoderException e = assertThrows(DecoderException.class,
                () -> receiver.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0, 0, 0})));
        assertEquals(0xff000000L, assertInstanceOf(WireError.Oversized.class, wireError(e)).length());
    }

    @Test
    void frameDecoder_afterError_discardsLaterBytes() {
        EmbeddedChannel receiver = channel(Expect.GUEST_AWAITING_REQUEST);
        assertThrows(DecoderException.class,
                () -> receiver.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x7f, 0, 0, 0})));
        receiver.writeInbound(Unpooled.wrappedBuffer(new byte[4096]));
        assertNull(receiver.readInbound());
    }

    @Test
    void frameDecoder_evidenceSizedFrameWhileAwaitingRequest_oversized() {
        EmbeddedChannel receiver = channel(Expect.GUEST_AWAITING_REQUEST);
        ByteBuf prefix = Unpooled.buffer().writeInt(WireLimits.MAX_EVIDENCE_REQUEST_FRAME_BYTES + 1);
        DecoderException e = assertThrows(DecoderException.class, () -> receiver.writeInbound(prefix));
        assertInstanceOf(WireError.Oversized.class, wireError(e));
    }

    @Test
    void frameDecoder_zeroLength_emptyFrame() {
        EmbeddedChannel receiver = channel(ANY);
        DecoderException e = assertThrows(DecoderException.class,
                () -> receiver.writeInbound(Unpooled.wrappedBuffer(new byte[4])));
        assertInstanceOf(WireError.EmptyFrame.class, wireError(e));
    }

    @Test
    void frameDecoder_peerClosesMidFrame_truncated() throws Exception {
        byte[] frame = FrameWriter.frame(new Ack(true, "unlocked"));
        EmbeddedChannel receiver = channel(Expect.HOST_AWAITING_ACK);
        receiver.writeInbound(Unpooled.wrappedBuffer(frame, 0, frame.length - 3));
        DecoderException e = assertThrows(DecoderException.class, receiver::finish);
        WireError.Truncated truncated = assertInstanceOf(WireError.Truncated.class, wireError(e));
        assertEquals(frame.length, truncated.expectedBytes());
        assertEquals(frame.length - 3, truncated.receivedBytes());
    }

    @Test
    void messageDecoder_garbageJson_malformed() {
        DecoderException e = assertThrows(DecoderException.class, () -> channel(ANY).writeInbound(frameOf("{{{{ garbage")));
        assertInstanceOf(WireError.Malformed.class, wireError(e));
    }

    @Test
    void messageDecoder_unknownType_unknownType() {
        DecoderException e = assertThrows(DecoderException.class,
                () -> channel(ANY).writeInbound(frameOf("{\"type\":\"shell\",\"version\":1}")));
        assertInstanceOf(WireError.UnknownType.class, wireError(e));
    }

    @Test
    void messageDecoder_wrongVersion_unsupportedVersion() {
        DecoderException e = assertThrows(DecoderException.class, () -> channel(ANY)
                .writeInbound(frameOf("{\"type\":\"ack\",\"version\":7,\"unlocked\":true,\"detail\":\"\"}")));
        WireError.UnsupportedVersion version = assertInstanceOf(WireError.UnsupportedVersion.class, wireError(e));
        assertEquals("7", version.received());
    }

    @Test
    void messageDecoder_typeNotExpectedInState_unexpectedType() throws Exception {
        EmbeddedChannel receiver = channel(Expect.GUEST_AWAITING_VERDICT);
        DecoderException e = assertThrows(DecoderException.class,
                () -> receiver.writeInbound(Unpooled.wrappedBuffer(FrameWriter.frame(new Ack(true, "")))));
        assertInstanceOf(WireError.UnexpectedType.class, wireError(e));
    }

    @Test
    void wireCodec_expectSwitched_nextFrameCheckedAgainstNewState() throws Exception {
        EmbeddedChannel guest = new EmbeddedChannel();
        WireCodec codec = WireCodec.install(guest.pipeline(), Expect.GUEST_AWAITING_REQUEST);
        EvidenceRequest request = new EvidenceRequest(SampleMessages.random(64));
        guest.writeInbound(Unpooled.wrappedBuffer(FrameWriter.frame(request)));
        assertEquals(request, guest.readInbound());
        codec.expect(Expect.GUEST_AWAITING_VERDICT);
        Release release = new Release("a.b.c");
        guest.writeInbound(Unpooled.wrappedBuffer(FrameWriter.frame(release)));
        assertEquals(release, guest.readInbound());
        assertThrows(DecoderException.class,
                () -> guest.writeInbound(Unpooled.wrappedBuffer(FrameWriter.frame(request))));
    }

    private static ByteBuf frameOf(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer().writeInt(body.length).writeBytes(body);
    }

    private static WireError wireError(Throwable e) {
        return WireException.findIn(e).orElseThrow(() -> new AssertionError("no WireException in " + e)).error();
    }
}
