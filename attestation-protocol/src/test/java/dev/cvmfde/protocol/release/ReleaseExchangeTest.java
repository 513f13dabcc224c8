package dev.cvmfde.protocol.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.Release;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A full exchange over a loopback socket between a minimal guest and host built only from this
 * module's API, with every byte on the wire recorded (what a man in the middle sees).
 */
class ReleaseExchangeTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void exchange_rawKey_recordedBytesDoNotContainTheKey() throws Exception {
        try (KeyFile keyFile = KeyFile.generateRaw(RANDOM)) {
            runAndCheck(keyFile.passphrase());
        }
    }

    @Test
    void exchange_base64DekKey_recordedBytesDoNotContainTheKey() throws Exception {
        try (KeyFile keyFile = KeyFile.generateDek(RANDOM)) {
            runAndCheck(keyFile.passphrase());
        }
    }

    private void runAndCheck(SecretBytes key) throws Exception {
        ECKey verifier = VerifierKeys.generate();
        PinnedVerifierKey pinned = new PinnedVerifierKey(verifier.toPublicJWK());
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> guest = CompletableFuture.supplyAsync(() -> guest(listener, pinned));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.setSoTimeout(10_000);
                FrameReader in = new FrameReader(new Tee(socket.getInputStream(), wire));
                FrameWriter out = new FrameWriter(new TeeOut(socket.getOutputStream(), wire));
                EvidenceRequest request = EvidenceRequest.fresh(RANDOM);
                out.write(request);
                Evidence evidence = (Evidence) in.read(Expect.HOST_AWAITING_EVIDENCE);
                assertTrue(ChallengeBinding.matches(evidence.token(), request.nonce(), evidence.ephemeralKey()));
                out.write(new Release(TestReleases.seal(key, evidence.ephemeralKey(), request.nonce(), verifier)));
                Ack ack = (Ack) in.read(Expect.HOST_AWAITING_ACK);
                assertTrue(ack.unlocked(), ack.detail());
            }
            byte[] received = guest.get(30, TimeUnit.SECONDS);
            try (SecretBytes got = SecretBytes.takeOwnership(received)) {
                assertTrue(got.sameAs(key));
            }
        }
        String recorded = wire.toString(StandardCharsets.ISO_8859_1);
        assertTrue(recorded.contains("\"type\":\"release\""), "the recording holds the exchange");
        key.use(bytes -> {
            for (String form : KeyForms.of(bytes)) {
                assertFalse(recorded.contains(form), "the key (as " + form.length() + " characters) is on the wire");
            }
            return null;
        });
    }

    /** The guest side: evidence bound to a per-connection ephemeral key, then open the release. */
    private static byte[] guest(ServerSocket listener, PinnedVerifierKey pinned) {
        try (Socket socket = listener.accept()) {
            FrameReader in = new FrameReader(socket.getInputStream());
            FrameWriter out = new FrameWriter(socket.getOutputStream());
            EvidenceRequest request = (EvidenceRequest) in.read(Expect.GUEST_AWAITING_REQUEST);
            ECKey ephemeral = EphemeralKeys.generate();
            byte[] simulatedToken = ChallengeBinding.challenge(request.nonce(), ephemeral);
            out.write(new Evidence(simulatedToken, ephemeral.toPublicJWK(), "simulated"));
            Message verdict = in.read(Expect.GUEST_AWAITING_VERDICT);
            Release release = (Release) verdict;
            try (SecretBytes key = ReleaseOpener.open(release.jws(), pinned, ephemeral, request.nonce(),
                    Clock.systemUTC())) {
                out.write(new Ack(true, "opened"));
                return key.copy();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Tee extends FilterInputStream {
        private final OutputStream copy;

        Tee(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                synchronized (copy) {
                    copy.write(b, off, n);
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                synchronized (copy) {
                    copy.write(b);
                }
            }
            return b;
        }
    }

    private static final class TeeOut extends FilterOutputStream {
        private final OutputStream copy;

        TeeOut(OutputStream out, OutputStream copy) {
            super(out);
            this.copy = copy;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            synchronized (copy) {
                copy.write(b, off, len);
            }
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            synchronized (copy) {
                copy.write(b);
            }
        }
    }

    @Test
    void keyForms_keyEmbeddedInBase64_found() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        byte[] embedded = new byte[key.length + 7];
        System.arraycopy(key, 0, embedded, 5, key.length);
        String text = java.util.Base64.getEncoder().encodeToString(embedded);
        assertTrue(KeyForms.of(key).stream().anyMatch(text::contains), "the search would miss an embedded key");
        assertEquals(9, KeyForms.of(key).size());
    }
}
