package dev.cvmfde.server.cli;

import dev.cvmfde.server.ConnectionLimits;
import dev.cvmfde.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The serve options, shared by the top-level command (virtCCA style) and {@code serve}. */
final class ServeOptions {
    @Option(names = {"-i", "--ip"}, paramLabel = "IP", defaultValue = "0.0.0.0",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, all IPv4 addresses).")
    String ip;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "TCP port (default: ${DEFAULT-VALUE}, as virtCCA; 0 picks a free port).")
    int port;

    @Option(names = "-k", description = "Accepted for virtCCA compatibility (there: serve the attestation and"
            + " receive the key). Always the case here, so it changes nothing.")
    boolean virtCcaKeyFlag;

    @Option(names = "--provider", paramLabel = "NAME", defaultValue = "tsm",
            description = "Evidence provider: tsm (configfs-tsm), virtcca (/dev/tsi), tpm (TPM 2.0 quote, /dev/tpmrm0;"
                    + " docs/tpm-evidence.md) or simulated (software TEE, development only). Default: ${DEFAULT-VALUE}.")
    String provider;

    @Mixin
    SimulatedOptions simulated = new SimulatedOptions();

    @Option(names = "--verifier-key", paramLabel = "FILE",
            description = "The pinned verifier public key (JWK or PEM). Only releases signed by it are opened."
                    + " Required unless --insecure-accept-any-verifier.")
    Path verifierKey;

    @Option(names = "--insecure-accept-any-verifier",
            description = "Development only: open releases signed by any key (nonce, key binding and expiry are"
                    + " still checked). Whoever reaches the port can make this guest use a key of its choosing.")
    boolean insecureAnyVerifier;

    @Option(names = "--key-output", paramLabel = "-|fd:N", defaultValue = "-",
            description = "Where the released key goes: '-' stdout (default) or 'fd:N', an inherited descriptor"
                    + " (a pipe). Files on disk are refused.")
    String keyOutput;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve TLS with this certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The TLS private key (PKCS#8 PEM, unencrypted; mode 0600, group/other access is refused).")
    Path tlsKey;

    @Option(names = "--read-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Close a connection whose peer sends nothing for this long (e.g. 30s, 500ms, 2m)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration readTimeout;

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
            description = "Close any connection open longer than this. Default: ${DEFAULT-VALUE}.")
    Duration sessionTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS,
            description = "Connections served at once, all sources together; more wait in the queue or are closed"
                    + " on accept. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-connections-per-source", paramLabel = "N",
            defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
            description = "Connections one source (IPv4 address or IPv6 /64) may have served or queued; more are"
                    + " closed on accept. Default: ${DEFAULT-VALUE}.")
    int maxConnectionsPerSource;

    @Option(names = "--max-queued-connections", paramLabel = "N",
            defaultValue = "" + ConnectionLimits.DEFAULT_MAX_QUEUED_CONNECTIONS,
            description = "Connections held while every slot is busy (one per source, served fewest-connections-first,"
                    + " each for at most --read-timeout); 0 closes them instead. Default: ${DEFAULT-VALUE}.")
    int maxQueuedConnections;

    @Option(names = "--max-evidence-rate", paramLabel = "N",
            defaultValue = "" + ConnectionLimits.DEFAULT_EVIDENCE_REQUESTS_PER_SECOND,
            description = "Evidence requests answered per second, all sources together; more are cut off before"
                    + " the TEE is asked. Default: ${DEFAULT-VALUE}.")
    int evidenceRequestsPerSecond;

    @Option(names = "--max-evidence-rate-per-source", paramLabel = "N",
            defaultValue = "" + ConnectionLimits.DEFAULT_EVIDENCE_REQUESTS_PER_SECOND_PER_SOURCE,
            description = "Evidence requests answered per second for one source. Default: ${DEFAULT-VALUE}.")
    int evidenceRequestsPerSecondPerSource;
}
