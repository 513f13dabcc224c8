package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Must-show, literally: {@code bin/attestation-server serve --provider simulated --key-output -}
 * as a child process; a client with a wrong baseline exits 3 while the server prints nothing and
 * keeps waiting; then the right client exits 0 and the server's stdout is exactly the key file's
 * bytes and it exits 0. Needs the attestation-server jar (built by {@code -am}; bin/_launch
 * builds it otherwise).
 */
class ChildServerReleaseTest {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(provider simulated");

    @TempDir
    Path dir;
    GuestFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new GuestFixture(dir);
    }

    @Test
    void childServer_wrongThenRightBaselineRawKey_stdoutIsExactlyTheKeyAndExit0() throws Exception {
        wrongThenRight(f.rawKey);
    }

    @Test
    void childServer_wrongThenRightBaselineIbmBase64Key_stdoutIsExactlyTheKeyText() throws Exception {
        wrongThenRight(f.base64Key);
    }

    private void wrongThenRight(Path keyFile) throws Exception {
        Path launcher = ROOT.resolve("bin/attestation-server");
        assertTrue(Files.isExecutable(launcher), "missing " + launcher);
        Process server = new ProcessBuilder(launcher.toString(), "serve", "-i", "127.0.0.1", "-p", "0",
                "--provider", "simulated", "--simulated-identity", f.identityDir.toString(),
                "--simulated-event-log", f.eventLog.toString(), "--verifier-key", f.pinned.toString(),
                "--key-output", "-").start();
        try {
            java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
            CompletableFuture<byte[]> stdout = readAll(server.getInputStream(), seen);
            StringBuilder stderr = new StringBuilder();
            InetSocketAddress address = awaitListening(server, stderr);

            CliRun wrong = CliRun.of(f.releaseArgs(address, f.wrongHashJson, keyFile));
            assertEquals(3, wrong.exit(), wrong.toString());
            assertTrue(server.isAlive(), "the server keeps waiting after a refusal");
            Thread.sleep(300);
            synchronized (seen) {
                assertEquals(0, seen.size(), "nothing on the server's stdout");
            }

            CliRun right = CliRun.of(f.releaseArgs(address, f.hashJson, keyFile));
            assertEquals(0, right.exit(), right.toString());
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "server exits after the unlock");
            assertEquals(0, server.exitValue(), stderr.toString());
            assertArrayEquals(Files.readAllBytes(keyFile), stdout.get(10, TimeUnit.SECONDS),
                    "the server's stdout holds exactly the key file's bytes");
        } finally {
            server.destroy();
        }
    }

    private static InetSocketAddress awaitListening(Process server, StringBuilder stderr) throws IOException {
        InputStream err = server.getErrorStream();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int b; (b = err.read()) >= 0;) {
                    synchronized (stderr) {
                        stderr.append((char) b);
                        Matcher m = LISTENING.matcher(stderr);
                        if (!port.isDone() && m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new AssertionError("server stderr ended: " + stderr));
        });
        try {
            return new InetSocketAddress("127.0.0.1", port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("the server did not report listening: " + stderr, e);
        }
    }

    private static CompletableFuture<byte[]> readAll(InputStream in, java.io.ByteArrayOutputStream seen) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (int b; (b = in.read()) >= 0;) {
                    synchronized (seen) {
                        seen.write(b);
                    }
                }
                synchronized (seen) {
                    return seen.toByteArray();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
