package dev.cvmfde.server.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.TestReleases;
import dev.cvmfde.protocol.token.CcaTokenDecoder;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.protocol.token.UnverifiedCcaToken;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.server.FakeTeeProvider;
import dev.cvmfde.server.TestVerifier;
import dev.cvmfde.server.provider.EvidenceProviders;
import dev.cvmfde.server.provider.ProviderOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AttestationServerCliTest {
    static final ECKey VERIFIER = VerifierKeys.generate();
    static final Pattern LISTENING = Pattern.compile("attestation-server: listening on 127\\.0\\.0\\.1:(\\d+) \\(provider fake");

    @TempDir
    Path dir;
    Path pinned;
    final ByteArrayOutputStream keyOut = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void pinKey() throws Exception {
        pinned = dir.resolve("verifier.pub.pem");
        VerifierKeys.writePublicPem(VERIFIER, pinned);
    }

    AttestationServerCli cli() {
        return new AttestationServerCli(keyOut, err, (name, options) -> "fake".equals(name) ? new FakeTeeProvider()
                : EvidenceProviders.byName(name, options));
    }

    int run(String... args) {
        return AttestationServerCli.commandLine(cli()).execute(args);
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    CompletableFuture<Integer> serveInBackground(String... args) {
        return CompletableFuture.supplyAsync(() -> run(args));
    }

    InetSocketAddress awaitListening(CompletableFuture<Integer> exit) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && !exit.isDone()) {
            Matcher m = LISTENING.matcher(err());
            if (m.find()) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("server did not report listening; stderr: " + err());
    }

    static SecretBytes randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return SecretBytes.takeOwnership(bytes);
    }

    @Test
    void serve_keyOutputStdout_writesExactlyTheKeyAndExitsZero() throws Exception {
        CompletableFuture<Integer> exit = serveInBackground("-i", "127.0.0.1", "-p", "0", "-k", "--provider", "fake",
                "--verifier-key", pinned.toString(), "--key-output", "-");
        InetSocketAddress address = awaitListening(exit);
        try (SecretBytes wrong = randomKey(); TestVerifier impostor = TestVerifier.connect(address)) {
            assertFalse(impostor.fullExchange(wrong, VerifierKeys.generate()).unlocked());
        }
        assertFalse(exit.isDone(), "the server keeps waiting after a refused release");
        assertEquals(0, keyOut.size());
        try (SecretBytes key = randomKey(); TestVerifier client = TestVerifier.connect(address)) {
            Ack ack = client.fullExchange(key, VERIFIER);
            assertTrue(ack.unlocked(), ack.detail());
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
            assertArrayEquals(key.copy(), keyOut.toByteArray());
        }
    }

    @Test
    void serveSubcommand_keyOutputFdOnFifo_writesTheKeyIntoIt() throws Exception {
        Path fifo = dir.resolve("key.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo (coreutils) is required");
        CompletableFuture<FileChannel> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return FileChannel.open(fifo, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (FileChannel writeEnd = FileChannel.open(fifo, StandardOpenOption.WRITE);
             FileChannel readEnd = reader.get(10, TimeUnit.SECONDS)) {
            CompletableFuture<Integer> exit = serveInBackground("serve", "-i", "127.0.0.1", "-p", "0", "--provider",
                    "fake", "--verifier-key", pinned.toString(), "--key-output", "fd:" + fdOf(fifo));
            InetSocketAddress address = awaitListening(exit);
            try (SecretBytes key = randomKey(); TestVerifier client = TestVerifier.connect(address)) {
                assertTrue(client.fullExchange(key, VERIFIER).unlocked());
                assertEquals(0, exit.get(20, TimeUnit.SECONDS));
                ByteBuffer read = ByteBuffer.allocate(key.length());
                while (read.hasRemaining()) {
                    readEnd.read(read);
                }
                assertArrayEquals(key.copy(), read.array());
            }
            assertEquals(0, keyOut.size());
        }
    }

    @Test
    void simulatedIdentityThenServeSimulated_hostVerifiesTokenWithExportedAnchorAndUnlocks() throws Exception {
        Path identity = dir.resolve("sim");
        Path anchorDir = dir.resolve("sim-anchor");
        assertEquals(0, run("simulated-identity", "--out", identity.toString(), "--anchor-out", anchorDir.toString()));
        assertEquals(ExitCodes.ERROR, run("simulated-identity", "--out", identity.toString(), "--anchor-out",
                anchorDir.toString()), "never overwrites");
        assertFalse(Files.exists(identity.resolve("simulated-cpak.pub.pem")), "the anchor is not beside the private keys");
        PinnedVerifierKey anchor = PinnedVerifierKey.read(anchorDir.resolve("simulated-cpak.pub.pem"));

        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> AttestationServerCli.commandLine(
                new AttestationServerCli(keyOut, err)).execute("serve", "-i", "127.0.0.1", "-p", "0",
                "--provider", "simulated", "--simulated-identity", identity.toString(),
                "--verifier-key", pinned.toString()));
        Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(provider simulated").matcher("");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(m = m.reset(err())).find() && System.nanoTime() < deadline && !exit.isDone()) {
            Thread.sleep(20);
        }
        // The provider's multi-line warning goes to the process's stderr (SimulatedProviderTest checks it).
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
        try (SecretBytes key = randomKey(); TestVerifier client = TestVerifier.connect(address)) {
            Evidence evidence = client.requestEvidence();
            UnverifiedCcaToken token = CcaTokenDecoder.decode(evidence.token());
            assertTrue(SimulatedTee.isSimulated(token));
            assertTrue(token.platform().orElseThrow().envelope().verify(anchor.publicKey().toECPublicKey()).isValid());
            assertTrue(ChallengeBinding.matches(token.realm().unverifiedClaims().challenge(), client.nonce,
                    evidence.ephemeralKey()));
            assertTrue(client.release(TestReleases.seal(key, evidence.ephemeralKey(), client.nonce, VERIFIER)).unlocked());
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
            assertArrayEquals(key.copy(), keyOut.toByteArray());
        }
    }

    @Test
    void serve_withoutVerifierKey_refusesToStartWithUsageError() {
        assertEquals(ExitCodes.USAGE, run("-i", "127.0.0.1", "-p", "0", "--provider", "fake"));
        assertTrue(err().contains("--verifier-key"), err());
        assertFalse(err().contains("listening"));
    }

    @Test
    void serve_insecureAnyVerifier_warnsLoudly() throws Exception {
        CompletableFuture<Integer> exit = serveInBackground("-i", "127.0.0.1", "-p", "0", "--provider", "fake",
                "--insecure-accept-any-verifier");
        InetSocketAddress address = awaitListening(exit);
        assertTrue(err().contains("INSECURE"), err());
        try (SecretBytes key = randomKey(); TestVerifier client = TestVerifier.connect(address)) {
            assertTrue(client.fullExchange(key, VerifierKeys.generate()).unlocked());
        }
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
    }

    @Test
    void serve_verifierKeyAndInsecure_usageError() {
        assertEquals(ExitCodes.USAGE, run("-p", "0", "--provider", "fake", "--verifier-key", pinned.toString(),
                "--insecure-accept-any-verifier"));
    }

    @Test
    void serve_keyOutputPath_refusedAndNoFileWritten() {
        Path target = dir.resolve("key.out");
        assertEquals(ExitCodes.USAGE, run("-p", "0", "--provider", "fake", "--verifier-key", pinned.toString(),
                "--key-output", target.toString()));
        assertFalse(Files.exists(target));
        assertTrue(err().contains("--key-output"), err());
    }

    @Test
    void serve_keyOutputFdOnRegularFile_refused() throws Exception {
        Path file = dir.resolve("disk-file");
        try (FileChannel open = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            String fd = fdOf(file);
            assertEquals(ExitCodes.USAGE, run("-p", "0", "--provider", "fake", "--verifier-key", pinned.toString(),
                    "--key-output", "fd:" + fd));
            assertEquals(0, Files.size(file));
        }
    }

    @Test
    void serve_keyOutputFdNotOpen_refused() {
        assertEquals(ExitCodes.USAGE, run("-p", "0", "--provider", "fake", "--verifier-key", pinned.toString(),
                "--key-output", "fd:9999999"));
    }

    @Test
    void serve_unknownProvider_usageError() {
        assertEquals(ExitCodes.USAGE, run("-p", "0", "--provider", "nope", "--verifier-key", pinned.toString()));
        assertTrue(err().contains("known providers"), err());
    }

    @Test
    void serve_unreadableVerifierKey_errorNamingTheFile() throws Exception {
        Path bad = dir.resolve("not-a-key.pem");
        Files.writeString(bad, "hello");
        assertEquals(ExitCodes.ERROR, run("-p", "0", "--provider", "fake", "--verifier-key", bad.toString()));
        assertTrue(err().contains("not-a-key.pem"), err());
    }

    @Test
    void serve_portInUse_errorExit() throws Exception {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(ExitCodes.ERROR, run("-i", "127.0.0.1", "-p", Integer.toString(socket.getLocalPort()),
                    "--provider", "fake", "--verifier-key", pinned.toString()));
            assertTrue(err().contains("cannot listen"), err());
        }
    }

    @Test
    void serve_badTimeout_usageError() {
        assertEquals(ExitCodes.USAGE, run("-p", "0", "--provider", "fake", "--verifier-key", pinned.toString(),
                "--read-timeout", "soon"));
    }

    @Test
    void help_listsExitCodesAndFlags() {
        StringWriter out = new StringWriter();
        CommandLine line = AttestationServerCli.commandLine(cli());
        line.setOut(new PrintWriter(out));
        assertEquals(0, line.execute("--help"));
        String help = out.toString();
        for (String expected : List.of("Exit codes", "0", "1", "2", "3", "--verifier-key", "--key-output", "-k",
                "--insecure-accept-any-verifier", "evidence", "serve")) {
            assertTrue(help.contains(expected), "help lacks " + expected + ":\n" + help);
        }
    }

    @Test
    void evidence_fakeProvider_writesTokenAndEventLogAtomically() throws Exception {
        byte[] challenge = new byte[64];
        new SecureRandom().nextBytes(challenge);
        Path token = dir.resolve("token.cbor");
        Path log = dir.resolve("ccel.bin");
        Files.writeString(token, "stale");
        assertEquals(0, run("evidence", "--provider", "fake", "--challenge", HexFormat.of().formatHex(challenge),
                "-o", token.toString(), "--event-log-out", log.toString()));
        assertArrayEquals(challenge, FakeTeeProvider.challengeIn(Files.readAllBytes(token)));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(log));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("token.cbor", "ccel.bin", "verifier.pub.pem"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void evidence_shortChallenge_usageErrorNothingWritten() {
        Path token = dir.resolve("token.cbor");
        assertEquals(ExitCodes.USAGE, run("evidence", "--provider", "fake", "--challenge", "abcd", "-o", token.toString()));
        assertFalse(Files.exists(token));
    }

    @Test
    void evidence_providerUnavailable_errorNothingWritten() {
        Path token = dir.resolve("token.cbor");
        // This host has no /dev/tsi: the real virtcca provider fails with UNAVAILABLE.
        assertEquals(ExitCodes.ERROR, run("evidence", "--provider", "virtcca", "--challenge", "00".repeat(64),
                "-o", token.toString()));
        assertFalse(Files.exists(token));
        assertTrue(err().contains("UNAVAILABLE"), err());
    }

    /** This process's descriptor open on {@code file}, found through /proc/self/fd. */
    private static String fdOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> entries = Files.list(KeyOutput.PROC_FDS)) {
            return entries.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false;
                }
            }).map(fd -> fd.getFileName().toString()).findFirst().orElseThrow();
        }
    }
}
