package dev.cvmfde.client.broker;

import dev.cvmfde.client.release.GuestFixture;
import dev.cvmfde.client.release.KeyRelease;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeys;
import dev.cvmfde.client.store.SignedBaseline;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.pull.PullConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker's world, all real: the simulated guest of {@link GuestFixture} (identity, predicted
 * event log, signed hash.json, verifier key pair), a root key file, a directory image store holding
 * {@code images} images (the same baseline, a key each; a directory store, or PostgreSQL), and a nonce key file. Starts brokers
 * in-process ({@link #startBroker}) or as child JVMs ({@link #startChild}, the real {@code serve}
 * command) and makes guest configurations for {@code PullClient}.
 */
final class BrokerFixture {
    static final Pattern LISTENING = Pattern.compile("listening on ([0-9.]+):(\\d+)");

    final GuestFixture guest;
    final Path rootKey;
    final String storeSpec;
    final Path nonceKey;
    final Map<String, byte[]> keys = new LinkedHashMap<>();

    /** A directory store under {@code dir}. */
    BrokerFixture(Path dir, int images) throws Exception {
        this(dir, images, "dir:" + dir.resolve("store"));
    }

    /** The store at {@code storeSpec} ({@code dir:…} or {@code postgresql://…}), created here. */
    BrokerFixture(Path dir, int images, String storeSpec) throws Exception {
        guest = new GuestFixture(dir);
        rootKey = dir.resolve("root.key");
        RootKeys.generateFile(rootKey);
        this.storeSpec = storeSpec;
        nonceKey = dir.resolve("nonce.key");
        try (RootKey root = RootKeys.open("file:" + rootKey); ImageStore store = ImageStores.create(storeSpec(), root)) {
            for (int i = 1; i <= images; i++) {
                String id = String.format("fleet-%02d", i);
                byte[] key = new byte[32];
                GuestFixture.RANDOM.nextBytes(key);
                keys.put(id, key);
                try (SecretBytes s = SecretBytes.copyOf(key)) {
                    store.add(ImageId.of(id), signedBaseline(guest.hashJson), s);
                }
            }
        }
    }

    String storeSpec() {
        return storeSpec;
    }

    SignedBaseline signedBaseline(Path hashJson) throws Exception {
        return new SignedBaseline(Files.readAllBytes(hashJson),
                Files.readString(hashJson.resolveSibling(hashJson.getFileName() + ".jws")), guest.builderKey.toPublicJWK());
    }

    RootKey openRootKey() throws Exception {
        return RootKeys.open("file:" + rootKey);
    }

    /** Decisions over {@code store} with this fixture's anchor, signer and nonce key. */
    BrokerReleases releases(ImageStore store, Clock clock) throws Exception {
        BrokerNonces nonces;
        try (SecretBytes key = NonceKeyFile.readOrCreate(nonceKey).key()) {
            nonces = new BrokerNonces(key, clock, BrokerNonces.DEFAULT_LIFETIME);
        }
        return new BrokerReleases(store, nonces, TrustAnchor.load(guest.anchor), true, guest.builderKey.toPublicJWK(),
                Optional.empty(), Set.of(), KeyRelease.signer(VerifierKeys.readSigningKey(guest.signingKey)), clock);
    }

    /** An in-process broker on 127.0.0.1 over {@code store}. */
    RunningBroker startBroker(ImageStore store, BrokerLimits limits) throws Exception {
        return Broker.start(BrokerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withLimits(limits),
                releases(store, Clock.systemUTC()));
    }

    /** A guest of image {@code imageId} pulling from {@code broker}; its key goes to {@code sink}. */
    PullConfig guestConfig(InetSocketAddress broker, String imageId, EvidenceProvider provider,
            dev.cvmfde.server.KeySink sink) throws Exception {
        return PullConfig.of(URI.create("http://127.0.0.1:" + broker.getPort()), imageId, provider,
                VerifierTrust.pinned(PinnedVerifierKey.read(guest.pinned)), sink)
                .withTimeout(Duration.ofSeconds(60))
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(4));
    }

    /** The {@code serve} command's arguments for this fixture (store, keys, anchor, signer). */
    List<String> serveArgs(String... extra) {
        List<String> a = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:0", "--store", storeSpec(),
                "--root-key", "file:" + rootKey, "--nonce-key", nonceKey.toString(),
                "--signing-key", guest.signingKey.toString(), "--simulated-anchor", guest.anchor.toString(),
                "--baseline-signer", guest.baselineSigner.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    /** A broker in its own JVM ({@code jvmOptions} e.g. {@code -Xmx128m}); returns once it listens. */
    ChildBroker startChild(List<String> jvmOptions, Path log, String... extra) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cvmfde.client.cli.AttestationClientCli"));
        command.addAll(serveArgs(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> drain(out, log));
                return new ChildBroker(process, new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
            }
        }
        process.destroyForcibly();
        throw new AssertionError("the child broker did not start listening:\n" + seen);
    }

    private static void drain(BufferedReader out, Path log) {
        try (var w = Files.newBufferedWriter(log)) {
            for (String line; (line = out.readLine()) != null; ) {
                w.write(line);
                w.newLine();
            }
        } catch (java.io.IOException ignored) {
            // the child ended
        }
    }

    /** A broker child process and where it listens. */
    record ChildBroker(Process process, InetSocketAddress address) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
