package dev.cvmfde.client.cli;

import dev.cvmfde.client.broker.Broker;
import dev.cvmfde.client.broker.BrokerConfig;
import dev.cvmfde.client.broker.BrokerLimits;
import dev.cvmfde.client.broker.BrokerNonces;
import dev.cvmfde.client.broker.BrokerReleases;
import dev.cvmfde.client.broker.NonceKeyFile;
import dev.cvmfde.client.broker.RunningBroker;
import dev.cvmfde.client.release.KeyRelease;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.KeyFileMode;
import dev.cvmfde.protocol.secret.SecretBytes;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: the pull-mode broker that guests fetch their keys from at boot. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
            "Runs the pull-mode broker: an HTTP/JSON server (TLS with --tls-cert/--tls-key) that guests built with"
                    + " 'image-builder encrypt --broker URL' connect to at boot. A guest names its image "
                    + "(POST /v1/challenge {\"imageId\": ID}) and gets a nonce; it posts evidence bound to that nonce "
                    + "and a fresh ephemeral key (POST /v1/release, headers Cvmfde-Image-Id and Cvmfde-Nonce). The "
                    + "evidence is appraised exactly as 'release' does (the same stages, fail closed) against each "
                    + "baseline the store accepts for that image now (two inside a rollout window); only if one "
                    + "affirms is the image's key, unwrapped by --root-key, sealed to the ephemeral key (JWE inside a "
                    + "JWS by --signing-key). Otherwise the guest is told only the failed stage names. Every release and "
                    + "refusal is recorded in the store's audit trail before the answer goes out.",
            "Nonces are stateless: random ‖ expiry ‖ HMAC-SHA256 over them and the image id, keyed by --nonce-key. "
                    + "Brokers sharing one store and one nonce key file are interchangeable: an exchange begun at one "
                    + "can finish at another. Replaying a nonce within its lifetime gains nothing: a release is sealed "
                    + "to the ephemeral key bound into that evidence by the TEE.",
            "Bounded: connections overall and per source, request size, request bytes buffered at once, and the "
                    + "appraisal queue; a request over a bound is answered 503 with Retry-After (guests back off).", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  attestation-client serve --listen 0.0.0.0:7221 --store dir:/var/lib/cvmfde/store \\",
            "      --root-key file:/etc/cvmfde/root.key --nonce-key /etc/cvmfde/nonce.key \\",
            "      --signing-key /etc/cvmfde/verifier.jwk --trust-anchor cpak.pub.pem \\",
            "      --baseline-signer ~/.config/cvm-fde/baseline-signing.pub.jwk",
            "  two brokers, one PostgreSQL store, one nonce key: run the same command with",
            "      --store 'postgresql://db:5432/cvmfde?user=broker&password=…' on each host",
            "",
            "Exit codes:",
            "  0  stopped (SIGTERM/SIGINT)",
            "  1  error: the store, root key, nonce key, signing key or trust anchor could not be opened, or the",
            "     address could not be bound",
            "  2  usage: unknown, missing or malformed options"})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:" + BrokerConfig.DEFAULT_PORT,
            description = "Address and port to listen on (default ${DEFAULT-VALUE}; port 0 picks a free one, printed).")
    String listen;

    @Mixin
    StoreOptions store;

    @Option(names = "--nonce-key", required = true, paramLabel = "FILE",
            description = "The nonce MAC key shared by every broker of this store: 32 random bytes, mode 0600; made "
                    + "if missing. Give every broker the same file.")
    Path nonceKey;

    @Option(names = "--signing-key", required = true, paramLabel = "FILE",
            description = "The verifier's private JWK (from 'keygen'; mode 0600); guests pin its public half.")
    Path signingKey;

    @Mixin
    EvidenceOptions evidence;

    @Option(names = "--nonce-lifetime", paramLabel = "S", defaultValue = "60",
            description = "Seconds a nonce is accepted after it was issued (default ${DEFAULT-VALUE}; at most 600).")
    long nonceLifetimeSeconds;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The TLS private key (PKCS#8 PEM, mode 0600).")
    Path tlsKey;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + BrokerLimits.DEFAULT_MAX_CONNECTIONS,
            description = "Connections open at once (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-source", paramLabel = "N",
            defaultValue = "" + BrokerLimits.DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
            description = "Connections one IPv4 address or IPv6 /64 may hold (default ${DEFAULT-VALUE}).")
    int maxConnectionsPerSource;

    @Option(names = "--max-buffered-mib", paramLabel = "MIB",
            defaultValue = "" + BrokerLimits.DEFAULT_MAX_BUFFERED_BYTES / (1024 * 1024),
            description = "Request bodies buffered at once, all connections together, in MiB (default ${DEFAULT-VALUE}).")
    long maxBufferedMib;

    @Option(names = "--appraisal-threads", paramLabel = "N", description = "Appraisal threads (default: one per processor).")
    Integer appraisalThreads;

    @Option(names = "--max-queued-appraisals", paramLabel = "N",
            defaultValue = "" + BrokerLimits.DEFAULT_MAX_QUEUED_APPRAISALS,
            description = "Appraisals waiting for a thread; more are answered 503 (default ${DEFAULT-VALUE}).")
    int maxQueuedAppraisals;

    @Override
    public Integer call() {
        return ExitCodes.guard(spec, this::serve);
    }

    private int serve() throws Exception {
        InetSocketAddress address = listenAddress();
        BrokerConfig config = config(address);
        if (evidence.baselineSigner == null) {
            throw ExitCodes.usage(spec, "--baseline-signer is required: every stored baseline is checked against it at"
                    + " each release");
        }
        var insecure = evidence.insecure(spec, true);
        var anchor = evidence.loadTrustAnchor(spec);
        var baselineSigner = PinnedVerifierKey.read(evidence.baselineSigner).publicKey();
        KeyRelease.Signer signer = KeyRelease.signer(VerifierKeys.readSigningKey(signingKey));
        PrintWriter err = spec.commandLine().getErr();
        NonceKeyFile.Loaded nonce = NonceKeyFile.readOrCreate(nonceKey);
        if (nonce.created()) {
            say(err, "made a new nonce key " + nonceKey + " (give every broker of this store the same file)");
        }
        BrokerNonces nonces;
        try (SecretBytes key = nonce.key()) {
            nonces = new BrokerNonces(key, Clock.systemUTC(), Duration.ofSeconds(nonceLifetimeSeconds));
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, "--nonce-lifetime: " + e.getMessage());
        }
        try (RootKey root = store.openRootKey(); ImageStore images = ImageStores.open(store.store, root)) {
            BrokerReleases releases = new BrokerReleases(images, nonces, anchor, evidence.simulated(), baselineSigner,
                    evidence.referenceRim(spec), insecure, signer, Clock.systemUTC());
            try (RunningBroker broker = Broker.start(config, releases)) {
                Thread hook = Thread.ofPlatform().unstarted(broker::close);
                Runtime.getRuntime().addShutdownHook(hook);
                InetSocketAddress bound = broker.localAddress();
                say(err, "listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort() + " ("
                        + (config.tls().isPresent() ? "https" : "http") + ", store " + images.describe() + ", root key "
                        + root.describe() + (evidence.simulated() ? ", SIMULATED TEE anchor" : "") + ")");
                broker.awaitClose();
                return ExitCodes.OK;
            }
        }
    }

    private BrokerConfig config(InetSocketAddress address) throws Exception {
        BrokerConfig config;
        try {
            BrokerLimits limits = new BrokerLimits(maxConnections, maxConnectionsPerSource,
                    BrokerLimits.DEFAULT_MAX_REQUEST_BYTES, maxBufferedMib * 1024 * 1024,
                    appraisalThreads == null ? BrokerLimits.defaults().appraisalThreads() : appraisalThreads,
                    maxQueuedAppraisals);
            config = BrokerConfig.of(address).withLimits(limits);
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, e.getMessage());
        }
        if (tlsCert == null && tlsKey == null) {
            return config;
        }
        if (tlsCert == null || tlsKey == null) {
            throw ExitCodes.usage(spec, "--tls-cert and --tls-key go together; pass both or neither");
        }
        KeyFileMode.requireOwnerOnly(tlsKey, "TLS private key --tls-key");
        return config.withTls(SslContextBuilder.forServer(tlsCert.toFile(), tlsKey.toFile()).build());
    }

    /** {@code --listen}: an IP literal (IPv6 in brackets) and a port, 0 for any free one. */
    private InetSocketAddress listenAddress() {
        int colon = listen.lastIndexOf(':');
        String host = colon < 0 ? "" : listen.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(listen.substring(colon + 1));
            if (colon < 0 || port < 0 || port > 65535 || !host.matches("[0-9A-Fa-f.:]+")) {
                throw new IllegalArgumentException();
            }
            return new InetSocketAddress(java.net.InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, "--listen is '" + listen + "'; IP:PORT is required (e.g. 0.0.0.0:7221, "
                    + "[::]:7221, 127.0.0.1:0 for a free port)");
        }
    }

    private void say(PrintWriter err, String line) {
        err.println(spec.root().name() + " serve: " + line);
        err.flush();
    }
}
