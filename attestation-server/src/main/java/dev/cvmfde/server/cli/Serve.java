package dev.cvmfde.server.cli;

import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.protocol.secret.KeyFileMode;
import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.server.AttestationServer;
import dev.cvmfde.server.ConnectionLimits;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.ServerConfig;
import dev.cvmfde.server.ServerOutcome;
import dev.cvmfde.server.ServerStartException;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.ProviderOptions;
import dev.cvmfde.server.pull.PullClient;
import dev.cvmfde.server.pull.PullConfig;
import dev.cvmfde.server.pull.PullOutcome;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import javax.net.ssl.SSLException;

/** Runs the server from {@link ServeOptions} until a key is handed on (0) or it is stopped (1). */
final class Serve {
    private Serve() {
    }

    static int run(ServeOptions options, AttestationServerCli cli) throws Exception {
        PrintStream err = cli.err;
        if (options.pull != null) {
            return pull(options, cli);
        }
        ServerConfig config = configure(options, cli);
        KeyOutput output = (KeyOutput) config.keySink();
        try (RunningServer server = AttestationServer.start(config)) {
            Thread hook = Thread.ofPlatform().unstarted(server::close);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                InetSocketAddress bound = server.localAddress();
                err.println("attestation-server: listening on " + bound.getAddress().getHostAddress() + ":"
                        + bound.getPort() + " (provider " + config.provider().name() + ", key to "
                        + output.describe() + ")");
                err.flush();
                return switch (server.awaitUnlocked()) {
                    case ServerOutcome.Unlocked unlocked -> {
                        err.println("attestation-server: key received from " + unlocked.verifier() + " and acknowledged: "
                                + unlocked.detail());
                        yield ExitCodes.OK;
                    }
                    case ServerOutcome.Stopped stopped -> {
                        err.println("attestation-server: stopped before a key arrived");
                        yield ExitCodes.ERROR;
                    }
                };
            } finally {
                removeHook(hook);
            }
        }
    }

    /** Pull mode: fetch the key from the broker at {@code --pull} with retries and backoff. */
    private static int pull(ServeOptions options, AttestationServerCli cli) throws Exception {
        PrintStream err = cli.err;
        if (options.imageId == null) {
            throw new UsageException("--pull needs --image-id: the broker looks the image's baseline and key up by it");
        }
        KeyOutput output = KeyOutput.parse(options.keyOutput, cli.keyStdout);
        VerifierTrust trust = trust(options, err);
        EvidenceProvider provider = cli.providers.byName(options.provider, options.simulated.apply(ProviderOptions.defaults()));
        PullConfig config;
        try {
            config = PullConfig.of(java.net.URI.create(options.pull), options.imageId, provider, trust, output)
                    .withTimeout(options.readTimeout)
                    .withBackoff(PullConfig.DEFAULT_FIRST_BACKOFF, PullConfig.DEFAULT_MAX_BACKOFF, options.giveUp);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        err.println("attestation-server: pull mode: fetching the key for image " + options.imageId + " from "
                + options.pull + " (provider " + provider.name() + ", key to " + output.describe() + ")");
        err.flush();
        return switch (new PullClient(config, line -> {
            err.println("attestation-server: " + line);
            err.flush();
        }).fetch()) {
            case PullOutcome.Unlocked u -> {
                err.println("attestation-server: key received from the broker after " + u.attempts() + " attempt"
                        + (u.attempts() == 1 ? "" : "s") + ": " + u.detail());
                yield ExitCodes.OK;
            }
            case PullOutcome.GaveUp g -> {
                err.println("attestation-server: GIVING UP after " + g.attempts() + " attempts: " + g.lastProblem());
                yield ExitCodes.ERROR;
            }
        };
    }

    static ServerConfig configure(ServeOptions options, AttestationServerCli cli)
            throws UsageException, KeyMaterialException, EvidenceException, ServerStartException {
        KeyOutput output = KeyOutput.parse(options.keyOutput, cli.keyStdout);
        VerifierTrust trust = trust(options, cli.err);
        if (options.port < 0 || options.port > 65535) {
            throw new UsageException("--port is " + options.port + "; 0 to 65535 is allowed");
        }
        InetSocketAddress bind = new InetSocketAddress(address(options.ip), options.port);
        EvidenceProvider provider = cli.providers.byName(options.provider, options.simulated.apply(ProviderOptions.defaults()));
        ServerConfig config;
        try {
            config = ServerConfig.of(bind, provider, trust, output)
                    .withReadTimeout(options.readTimeout)
                    .withSessionTimeout(options.sessionTimeout)
                    .withLimits(new ConnectionLimits(options.maxConnections, options.maxConnectionsPerSource,
                            options.maxQueuedConnections, options.evidenceRequestsPerSecond,
                            options.evidenceRequestsPerSecondPerSource));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return withTls(config, options);
    }

    private static VerifierTrust trust(ServeOptions options, PrintStream err) throws UsageException, KeyMaterialException {
        if (options.verifierKey != null && options.insecureAnyVerifier) {
            throw new UsageException("--verifier-key and --insecure-accept-any-verifier exclude each other; pass one");
        }
        if (options.insecureAnyVerifier) {
            err.println("""
                    attestation-server: ************************************************************
                    attestation-server: INSECURE: --insecure-accept-any-verifier is set.
                    attestation-server: Releases signed by ANY key are opened. Whoever can reach this
                    attestation-server: port can make this guest use a disk key of their choosing.
                    attestation-server: For development only; pin the verifier with --verifier-key.
                    attestation-server: ************************************************************""");
            return VerifierTrust.insecureAnyVerifier();
        }
        if (options.verifierKey == null) {
            throw new UsageException("--verifier-key FILE is required: the server opens only releases signed by"
                    + " the pinned verifier public key (JWK or PEM, from 'attestation-client keygen');"
                    + " for development only, --insecure-accept-any-verifier");
        }
        return VerifierTrust.pinned(PinnedVerifierKey.read(options.verifierKey));
    }

    private static InetAddress address(String ip) throws UsageException {
        if (!ip.matches("[0-9A-Fa-f.:]+")) {
            throw new UsageException("--ip is '" + ip + "'; an IPv4 or IPv6 address is required (no host names)");
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new UsageException("--ip '" + ip + "' is not an IP address");
        }
    }

    private static ServerConfig withTls(ServerConfig config, ServeOptions options)
            throws UsageException, ServerStartException {
        if (options.tlsCert == null && options.tlsKey == null) {
            return config;
        }
        if (options.tlsCert == null || options.tlsKey == null) {
            throw new UsageException("--tls-cert and --tls-key go together; pass both or neither");
        }
        for (var file : new java.nio.file.Path[] {options.tlsCert, options.tlsKey}) {
            if (!Files.isRegularFile(file)) {
                throw new UsageException(file + " is not a readable file");
            }
        }
        try {
            KeyFileMode.requireOwnerOnly(options.tlsKey, "TLS private key --tls-key");
        } catch (KeyFileException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
        try {
            return config.withTls(SslContextBuilder.forServer(options.tlsCert.toFile(), options.tlsKey.toFile()).build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new ServerStartException("TLS: cannot use " + options.tlsCert + " / " + options.tlsKey
                    + " (a PEM certificate chain and an unencrypted PKCS#8 PEM key are required): " + e.getMessage(), e);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting; the hook closes the server.
        }
    }
}
