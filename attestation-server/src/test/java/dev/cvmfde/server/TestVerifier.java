package dev.cvmfde.server;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.TestReleases;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.protocol.wire.WireException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host side of the exchange, written from the blocking protocol primitives: a stand-in for
 * the attestation client (no token verification: the tests' provider is a fake TEE).
 */
public final class TestVerifier implements AutoCloseable {
    static final int SO_TIMEOUT_MILLIS = 10_000;
    /** What {@link #closedByServer()} skips of a last message the server may send before closing. */
    static final int MAX_BYTES_BEFORE_CLOSE = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    final Socket socket;
    final FrameReader reader;
    final FrameWriter writer;
    public byte[] nonce;

    public TestVerifier(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(SO_TIMEOUT_MILLIS);
        this.reader = new FrameReader(socket.getInputStream());
        this.writer = new FrameWriter(socket.getOutputStream());
    }

    public static TestVerifier connect(InetSocketAddress server) throws IOException {
        return new TestVerifier(new Socket(server.getAddress(), server.getPort()));
    }

    /** Connects from {@code source} (e.g. 127.0.0.3: Linux routes all of 127/8 to loopback), as another host would. */
    public static TestVerifier connect(InetAddress source, InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(server, SO_TIMEOUT_MILLIS);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new TestVerifier(socket);
    }

    public Evidence requestEvidence() throws IOException, WireException {
        sendRequest();
        return (Evidence) reader.read(Expect.HOST_AWAITING_EVIDENCE);
    }

    /** Sends an evidence request with a fresh nonce; the evidence is read later. */
    public void sendRequest() throws IOException, WireException {
        EvidenceRequest request = EvidenceRequest.fresh(RANDOM);
        nonce = request.nonce();
        writer.write(request);
    }

    public Ack release(String jws) throws IOException, WireException {
        writer.write(new Release(jws));
        return (Ack) reader.read(Expect.HOST_AWAITING_ACK);
    }

    void refuse(String... stages) throws IOException, WireException {
        writer.write(new Refusal(List.of(stages)));
    }

    /** Request → evidence → release sealed to the evidence's key and this session's nonce → ack. */
    public Ack fullExchange(SecretBytes key, ECKey signingKey) throws IOException, WireException {
        sendRequest();
        return finishExchange(key, signingKey);
    }

    /** After {@link #sendRequest()}: evidence → release sealed to its key and the request's nonce → ack. */
    public Ack finishExchange(SecretBytes key, ECKey signingKey) throws IOException, WireException {
        Evidence evidence = (Evidence) reader.read(Expect.HOST_AWAITING_EVIDENCE);
        return release(TestReleases.seal(key, evidence.ephemeralKey(), nonce, signingKey));
    }

    InputStream in() throws IOException {
        return socket.getInputStream();
    }

    OutputStream out() throws IOException {
        return socket.getOutputStream();
    }

    /**
     * True if the server closes the connection within {@link #SO_TIMEOUT_MILLIS}: end of stream
     * (FIN) or a reset (RST). False if it stays silent that long: a read timeout is the server
     * keeping the peer open, not closing it. Bytes the server still sends before closing are
     * skipped (at most {@link #MAX_BYTES_BEFORE_CLOSE}; more is not a close either).
     */
    boolean closedByServer() throws IOException {
        return closedByServer(Duration.ofMillis(SO_TIMEOUT_MILLIS));
    }

    /** As {@link #closedByServer()}, waiting at most {@code within} for the close. */
    boolean closedByServer(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        int previousTimeout = socket.getSoTimeout();
        byte[] skipped = new byte[MAX_BYTES_BEFORE_CLOSE + 1];
        int total = 0;
        try {
            while (total <= MAX_BYTES_BEFORE_CLOSE) {
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMillis <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) leftMillis);
                int n = socket.getInputStream().read(skipped, 0, skipped.length - total);
                if (n == -1) {
                    return true;
                }
                total += n;
            }
            return false;
        } catch (SocketTimeoutException silent) {
            return false;
        } catch (SocketException e) {
            if (isReset(e)) {
                return true;
            }
            throw e;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previousTimeout);
            }
        }
    }

    /** The JDK reports a TCP reset on read as "Connection reset" (no subclass of its own). */
    private static boolean isReset(SocketException e) {
        return e.getMessage() != null && e.getMessage().startsWith("Connection reset");
    }

    static Message read(FrameReader reader, Expect expect) throws IOException, WireException {
        return reader.read(expect);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
