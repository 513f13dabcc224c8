package dev.cvmfde.server.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.FakeTeeProvider;
import dev.cvmfde.server.TestVerifier;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert/--tls-key} with a certificate made by openssl; the client trusts exactly that certificate. */
class TlsServeTest {
    static final ECKey VERIFIER = VerifierKeys.generate();
    static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void serve_tls_plainClientCutOffThenTlsClientUnlocks() throws Exception {
        Path cert = dir.resolve("guest-cert.pem");
        Path key = dir.resolve("guest-key.pem");
        makeCertificate(cert, key);
        Path pinned = dir.resolve("verifier.pub.jwk");
        VerifierKeys.writePublicJwk(VERIFIER, pinned);

        ByteArrayOutputStream keyOut = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        AttestationServerCli cli = new AttestationServerCli(keyOut, new PrintStream(errBytes, true, StandardCharsets.UTF_8),
                (name, options) -> new FakeTeeProvider());
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> AttestationServerCli.commandLine(cli)
                .execute("-i", "127.0.0.1", "-p", "0", "--provider", "fake", "--verifier-key", pinned.toString(),
                        "--tls-cert", cert.toString(), "--tls-key", key.toString()));
        InetSocketAddress address = awaitListening(errBytes, exit);

        java.util.logging.Logger log = java.util.logging.Logger.getLogger(dev.cvmfde.server.internal.ServerLog.NAME);
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            public void publish(java.util.logging.LogRecord r) {
                lines.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            public void flush() {
            }

            public void close() {
            }
        };
        log.addHandler(capture);
        try (TestVerifier plain = TestVerifier.connect(address)) {
            plain.requestEvidence();
            throw new AssertionError("a plain-TCP client got evidence from a TLS server");
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the TLS server neither refused nor closed a plain-TCP client", e);
        } catch (java.io.IOException | dev.cvmfde.protocol.wire.WireException expected) {
            // The TLS handler rejects the plaintext frame and closes.
        }
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (lines.stream().noneMatch(l -> l.contains("did not speak TLS")) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        log.removeHandler(capture);
        assertTrue(lines.stream().anyMatch(l -> l.contains("tls: the peer did not speak TLS")), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("7b2274797065")), "no hex dump of the peer's bytes: " + lines);

        SSLSocket socket = (SSLSocket) trusting(cert).getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.startHandshake();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try (TestVerifier client = new TestVerifier(socket); SecretBytes keyBytes = SecretBytes.copyOf(secret)) {
            assertTrue(client.fullExchange(keyBytes, VERIFIER).unlocked());
        }
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        assertArrayEquals(secret, keyOut.toByteArray());
    }

    @Test
    void serve_tlsKeyWorldReadable_refusedAtStartNamingModeAndChmod() throws Exception {
        Path cert = dir.resolve("guest-cert.pem");
        Path key = dir.resolve("guest-key.pem");
        makeCertificate(cert, key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Path pinned = dir.resolve("verifier.pub.jwk");
        VerifierKeys.writePublicJwk(VERIFIER, pinned);
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        AttestationServerCli cli = new AttestationServerCli(new ByteArrayOutputStream(),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8), (name, options) -> new FakeTeeProvider());
        int exit = AttestationServerCli.commandLine(cli).execute("-i", "127.0.0.1", "-p", "0", "--provider", "fake",
                "--verifier-key", pinned.toString(), "--tls-cert", cert.toString(), "--tls-key", key.toString());
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, err);
        assertTrue(err.contains(key + " has mode 0644 (rw-r--r--)") && err.contains("chmod 600"), err);
        assertFalse(err.contains("listening on"), err);
    }

    /** A self-signed P-256 certificate for 127.0.0.1 and its key (owner-only), made by openssl. */
    private static void makeCertificate(Path cert, Path key) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, openssl.waitFor(), "openssl is required: " + output);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    private static SSLContext trusting(Path certPem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            store.setCertificateEntry("guest", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static InetSocketAddress awaitListening(ByteArrayOutputStream err, CompletableFuture<Integer> exit)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && !exit.isDone()) {
            Matcher m = LISTENING.matcher(err.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no listening line: " + err.toString(StandardCharsets.UTF_8) + " exit " + exit.getNow(null));
    }
}
