package dev.cvmfde.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link TestVerifier#closedByServer()} is what HostilePeerTest's "the server cut it off" rests on:
 * a close (FIN) or reset (RST) counts, a server that merely stays silent does not.
 */
class TestVerifierTest {
    static final Duration SHORT = Duration.ofMillis(300);

    @Test
    void closedByServer_serverStaysSilent_false() throws Exception {
        try (ServerSocket listener = listener(); TestVerifier peer = connect(listener)) {
            try (Socket accepted = listener.accept()) {
                long started = System.nanoTime();
                assertFalse(peer.closedByServer(SHORT), "a silent server counted as closing the connection");
                assertTrue(System.nanoTime() - started >= SHORT.toNanos() - Duration.ofMillis(50).toNanos());
                assertFalse(accepted.isClosed());
            }
        }
    }

    @Test
    void closedByServer_serverCloses_true() throws Exception {
        try (ServerSocket listener = listener(); TestVerifier peer = connect(listener)) {
            listener.accept().close();
            assertTrue(peer.closedByServer(SHORT));
        }
    }

    @Test
    void closedByServer_serverResets_true() throws Exception {
        try (ServerSocket listener = listener(); TestVerifier peer = connect(listener)) {
            peer.out().write(1);
            Socket accepted = listener.accept();
            accepted.setSoLinger(true, 0);
            accepted.close();
            assertTrue(peer.closedByServer(SHORT));
        }
    }

    @Test
    void closedByServer_serverSaysSomethingThenCloses_true() throws Exception {
        try (ServerSocket listener = listener(); TestVerifier peer = connect(listener)) {
            try (Socket accepted = listener.accept()) {
                accepted.getOutputStream().write(new byte[] {0, 0, 0, 2, '{', '}'});
            }
            assertTrue(peer.closedByServer(SHORT));
        }
    }

    @Test
    void closedByServer_serverKeepsTalking_false() throws Exception {
        try (ServerSocket listener = listener(); TestVerifier peer = connect(listener);
             Socket accepted = listener.accept()) {
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    accepted.getOutputStream().write(new byte[TestVerifier.MAX_BYTES_BEFORE_CLOSE * 2]);
                } catch (IOException ignored) {
                    // the peer closed first
                }
            });
            assertFalse(peer.closedByServer(Duration.ofSeconds(5)));
            peer.close();
            accepted.close();
            flood.join();
        }
    }

    private static ServerSocket listener() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    private static TestVerifier connect(ServerSocket listener) throws IOException {
        return TestVerifier.connect((InetSocketAddress) listener.getLocalSocketAddress());
    }
}
