package dev.cvmfde.agent.selftest;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.AgentConfigLoader;
import dev.cvmfde.agent.config.KernelCmdline;
import dev.cvmfde.agent.config.internal.ConfigJson;
import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.net.NetworkWait;
import dev.cvmfde.agent.net.SystemAddresses;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.server.AttestationServer;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.ServerConfig;
import dev.cvmfde.server.ServerOutcome;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceProviders;
import dev.cvmfde.server.provider.ProviderOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's code path without a disk or a network: configuration parsing, address
 * enumeration, the attestation server on 127.0.0.1 with the simulated provider, one full
 * exchange with a throwaway verifier key, and the key reaching the sink. Used as the AOT
 * training run of the guest runtime and as a smoke test of a built runtime.
 */
public final class SelfTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final String SAMPLE_UUID = "0c0ffee0-0000-4000-8000-000000000001";

    private SelfTest() {
    }

    /** Runs the exchange; throws when any step fails. Returns the time from start to listening. */
    public static Duration run(AgentConsole console) throws Exception {
        long t0 = System.nanoTime();
        AgentConfig parsed = ConfigJson.parse(ConfigJson.write(AgentConfig.defaults(SAMPLE_UUID)));
        AgentConfigLoader.applyKernelParameters(parsed, KernelCmdline.parse("quiet cvmfde.port=7220 ip=dhcp"));
        NetworkWait.current(new SystemAddresses(), Optional.empty());
        ECKey signing = VerifierKeys.generate();
        byte[] keyBytes = new byte[64];
        new SecureRandom().nextBytes(keyBytes);
        try (SecretBytes key = SecretBytes.takeOwnership(keyBytes)) {
            ServerConfig config = ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    EvidenceProviders.byName("simulated", ProviderOptions.defaults()),
                    VerifierTrust.pinned(new PinnedVerifierKey(signing.toPublicJWK())),
                    received -> received.sameAs(key) ? UnlockOutcome.unlocked("self-test key matched")
                            : UnlockOutcome.failed("self-test key differs"));
            try (RunningServer server = AttestationServer.start(config)) {
                Duration toListening = Duration.ofNanos(System.nanoTime() - t0);
                console.say("self-test: listening on " + server.localAddress() + " after " + toListening.toMillis()
                        + " ms in main (epoch-ms " + System.currentTimeMillis() + ")");
                Ack ack = LoopbackVerifier.release(server.localAddress(), key, signing);
                if (!ack.unlocked()) {
                    throw new IllegalStateException("self-test: the agent did not accept the key: " + ack.detail());
                }
                Optional<ServerOutcome> outcome = server.awaitUnlocked(AWAIT);
                if (outcome.isEmpty() || !(outcome.get() instanceof ServerOutcome.Unlocked)) {
                    throw new IllegalStateException("self-test: the server did not report the unlock");
                }
                console.say("self-test: OK (exchange done " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms after start)");
                return toListening;
            }
        }
    }
}
