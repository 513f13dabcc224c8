package dev.cvmfde.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameIoTest {
    private static final Expect ANY = new Expect(EnumSet.allOf(MessageType.class));

    static java.util.List<Message> messages() {
        return SampleMessages.all();
    }

    @ParameterizedTest
    @MethodSource("messages")
    void read_writtenFrame_equalsOriginal(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out).write(message);
        assertEquals(message, new FrameReader(new ByteArrayInputStream(out.toByteArray())).read(ANY));
    }

    @Test
    void read_lengthMaxInt_oversizedWithoutReadingBody() {
        CountingStream in = new CountingStream(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
        WireException e = assertThrows(WireException.class, () -> new FrameReader(in).read(Expect.HOST_AWAITING_EVIDENCE));
        assertEquals(WireLimits.MAX_EVIDENCE_FRAME_BYTES, assertInstanceOf(WireError.Oversized.class, e.error()).limit());
        assertEquals(4, in.consumed);
    }

    @Test
    void read_streamEndsMidBody_truncated() throws Exception {
        byte[] frame = FrameWriter.frame(new Ack(true, "ok"));
        InputStream in = new ByteArrayInputStream(Arrays.copyOf(frame, frame.length - 1));
        WireException e = assertThrows(WireException.class, () -> new FrameReader(in).read(Expect.HOST_AWAITING_ACK));
        assertInstanceOf(WireError.Truncated.class, e.error());
    }

    @Test
    void read_streamEndsInPrefix_truncated() {
        WireException e = assertThrows(WireException.class,
                () -> new FrameReader(new ByteArrayInputStream(new byte[] {0, 0})).read(ANY));
        assertInstanceOf(WireError.Truncated.class, e.error());
    }

    @Test
    void read_emptyStream_peerClosed() {
        WireException e = assertThrows(WireException.class,
                () -> new FrameReader(new ByteArrayInputStream(new byte[0])).read(ANY));
        assertInstanceOf(WireError.PeerClosed.class, e.error());
    }

    @Test
    void read_overLoopbackSocket_roundTripAndTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Message> received = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept()) {
                    Message request = new FrameReader(peer.getInputStream()).read(Expect.GUEST_AWAITING_REQUEST);
                    new FrameWriter(peer.getOutputStream()).write(new Ack(false, "silent next"));
                    Thread.sleep(2000);
                    return request;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                client.setSoTimeout(300);
                EvidenceRequest request = new EvidenceRequest(SampleMessages.random(64));
                new FrameWriter(client.getOutputStream()).write(request);
                FrameReader reader = new FrameReader(client.getInputStream());
                assertEquals(new Ack(false, "silent next"), reader.read(Expect.HOST_AWAITING_ACK));
                assertThrows(SocketTimeoutException.class, () -> reader.read(Expect.HOST_AWAITING_ACK));
                assertEquals(request, received.get(5, TimeUnit.SECONDS));
            }
        }
    }

    /** A stream that records how many bytes the reader took. */
    private static final class CountingStream extends ByteArrayInputStream {
        int consumed;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read() {
            int b = super.read();
            consumed += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            consumed += Math.max(n, 0);
            return n;
        }
    }
}
