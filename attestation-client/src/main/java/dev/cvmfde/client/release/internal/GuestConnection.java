package dev.cvmfde.client.release.internal;

import dev.cvmfde.client.release.ReleaseException;
import dev.cvmfde.client.release.ReleaseException.Step;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.WireError;
import dev.cvmfde.protocol.wire.WireException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One blocking TCP connection to a guest, with a connect and per-read timeout and a deadline
 * for the whole connection (a watchdog closes the socket, so a guest trickling bytes cannot hold
 * the host). Frames go through {@link FrameReader}/{@link FrameWriter}: every length is checked
 * against the expected message's limit before anything is buffered. Failures become
 * {@link ReleaseException}s naming the step; those before the evidence has arrived are retryable.
 */
public final class GuestConnection implements AutoCloseable {
    private final Socket socket;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final Duration timeout;
    private final AtomicBoolean expired = new AtomicBoolean();
    private final Thread watchdog;

    private GuestConnection(Socket socket, Duration timeout, Duration deadline) throws IOException {
        this.socket = socket;
        this.timeout = timeout;
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        socket.setTcpNoDelay(true);
        this.reader = new FrameReader(socket.getInputStream());
        this.writer = new FrameWriter(socket.getOutputStream());
        this.watchdog = Thread.ofVirtual().name("release-deadline").start(() -> {
            try {
                Thread.sleep(deadline);
                expired.set(true);
                socket.close();
            } catch (InterruptedException | IOException done) {
                // Closed in time (interrupted) or already closed.
            }
        });
    }

    /** Connects within {@code timeout}; the whole connection may last at most {@code deadline}. */
    public static GuestConnection open(InetSocketAddress guest, Duration timeout, Duration deadline)
            throws ReleaseException {
        Socket socket = new Socket();
        try {
            socket.connect(guest, Math.toIntExact(timeout.toMillis()));
            return new GuestConnection(socket, timeout, deadline);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new ReleaseException(Step.CONNECT, true, "no connection to " + describe(guest) + " within "
                    + seconds(timeout), e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ReleaseException(Step.CONNECT, true, "cannot connect to " + describe(guest) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Sends {@code message}; a failure is retryable only for the evidence request. */
    public void send(Message message, Step step) throws ReleaseException {
        try {
            writer.write(message);
        } catch (WireException e) {
            throw new ReleaseException(step, false, "cannot encode " + message.type().wireName() + ": "
                    + e.error().describe(), e);
        } catch (IOException e) {
            throw failure(step, e);
        }
    }

    /** Reads the next message, which must be one of {@code expect}. */
    public Message read(Expect expect, Step step) throws ReleaseException {
        try {
            return reader.read(expect);
        } catch (WireException e) {
            boolean dropped = e.error() instanceof WireError.PeerClosed || e.error() instanceof WireError.Truncated;
            String what = dropped ? "the guest closed the connection before sending " + expect + " ("
                    + e.error().describe() + ")" : "the guest sent a bad frame: " + e.error().describe();
            throw new ReleaseException(step, dropped && retryableAt(step), what, e);
        } catch (IOException e) {
            throw failure(step, e);
        }
    }

    private ReleaseException failure(Step step, IOException e) {
        if (expired.get()) {
            return new ReleaseException(step, retryableAt(step), "the exchange exceeded its deadline "
                    + "(the guest kept the connection open without finishing)", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new ReleaseException(step, retryableAt(step), "no answer from the guest within " + seconds(timeout)
                    + " (--timeout)", e);
        }
        return new ReleaseException(step, retryableAt(step), "connection failed: " + e.getMessage(), e);
    }

    /** Until the evidence has arrived nothing was verified or released: a new attempt is safe. */
    private static boolean retryableAt(Step step) {
        return step == Step.CONNECT || step == Step.REQUEST || step == Step.EVIDENCE;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describe(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing was sent on it.
        }
    }

    @Override
    public void close() {
        watchdog.interrupt();
        closeQuietly(socket);
    }
}
