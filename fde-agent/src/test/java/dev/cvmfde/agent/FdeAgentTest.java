package dev.cvmfde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.luks.LuksHeaderTamper;
import dev.cvmfde.agent.luks.LuksHeaderTamper;
import dev.cvmfde.agent.selftest.LoopbackVerifier;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent end to end on this host: the simulated TEE, real sockets on 127.0.0.1, a verifier
 * built from the protocol primitives, and a real cryptsetup checking the key against a real
 * LUKS2 file found by its UUID among fake block devices (sysfs and /dev are the edge).
 */
class FdeAgentTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    Path sys;
    Path dev;
    LuksFixture root;
    LoopbackVerifier verifier;
    Path verifierPub;

    @BeforeEach
    void disk() throws Exception {
        sys = Files.createDirectories(tmp.resolve("sys/class/block"));
        dev = Files.createDirectories(tmp.resolve("dev"));
        for (String name : new String[] {"vda", "vda1", "vda2", "sr0"}) {
            Files.createDirectory(sys.resolve(name));
        }
        Files.write(dev.resolve("vda"), new byte[4096]);
        Files.write(dev.resolve("vda1"), "not a LUKS volume".getBytes());
        root = LuksFixture.format(dev.resolve("vda2"));
        // sr0 is listed but has no node (an empty drive): it must be skipped, not fail the scan
        verifier = LoopbackVerifier.withThrowawayKey();
        verifierPub = tmp.resolve("verifier.pub.pem");
        VerifierKeys.writePublicPem(verifier.publicKey(), verifierPub);
    }

    private AgentConfig config() {
        return AgentConfig.defaults(root.uuid)
                .withBindAddress("127.0.0.1").withPort(0).withProvider("simulated").withVerifierKey(verifierPub)
                .withNetworkTimeout(Duration.ofSeconds(20))
                .withVerifierWait(Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(90))
                .withUnlockCommand(AgentConfig.TEST_PASSPHRASE_COMMAND, Duration.ofSeconds(60))
                .withBlockDevices(sys, dev).withLuksHeader(root.pin);
    }

    private static Ack release(InetSocketAddress agent, byte[] key, LoopbackVerifier signer) throws Exception {
        try (SecretBytes secret = SecretBytes.copyOf(key)) {
            return signer.release(agent, secret);
        }
    }

    @Test
    void run_rightKeyReleased_unlocksAndExitsZero() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(config(), agent.lateLoopback(0));
            InetSocketAddress address = agent.awaitAddress(LONG);
            Ack ack = release(address, root.key, verifier);

            assertTrue(ack.unlocked(), ack.detail());
            AgentOutcome outcome = agent.awaitOutcome(LONG);
            assertInstanceOf(AgentOutcome.Unlocked.class, outcome);
            assertEquals(0, outcome.exitStatus());
            assertTrue(agent.console().contains("root volume " + root.uuid + " is " + dev.resolve("vda2")), agent.console());
            assertFalse(agent.console().toLowerCase().contains(HexFormat.of().formatHex(root.key)), "key bytes on the console");
            // the simulated TEE's REM[3] now differs from the boot's: later evidence no longer matches
            assertTrue(agent.console().contains("key consumed: extended REM[3] = "), agent.console());
            assertThrows(java.io.IOException.class, () -> release(address, root.key, verifier),
                    "the agent still served after the unlock");
        }
    }

    @Test
    void run_wrongKeyThenRightKey_reportsFailureKeepsWaitingThenUnlocks() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(config(), agent.lateLoopback(0));
            InetSocketAddress address = agent.awaitAddress(LONG);
            byte[] wrong = root.key.clone();
            wrong[0] ^= 1;

            Ack first = release(address, wrong, verifier);
            assertFalse(first.unlocked());
            assertTrue(first.detail().contains("cryptsetup status"), first.detail());
            assertTrue(agent.console().contains("unlock FAILED"), agent.console());
            assertFalse(agent.awaitOutcomeQuietly());

            Ack second = release(address, root.key, verifier);
            assertTrue(second.unlocked(), second.detail());
            assertEquals(0, agent.awaitOutcome(LONG).exitStatus());
        }
    }

    @Test
    void run_releaseFromUnpinnedVerifier_refusedAndRootStaysLocked() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(config(), agent.lateLoopback(0));
            Ack ack = release(agent.awaitAddress(LONG), root.key, LoopbackVerifier.withThrowawayKey());

            assertFalse(ack.unlocked());
            assertTrue(ack.detail().startsWith("release refused"), ack.detail());
            assertFalse(agent.console().contains("key released by the verifier"), agent.console());
        }
    }

    @Test
    void run_noVerifier_retriesWithBackoffThenGivesUpWithStatus4() throws Exception {
        AgentConfig c = config().withVerifierWait(Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofMillis(1500));
        try (AgentHarness agent = new AgentHarness()) {
            long t0 = System.nanoTime();
            agent.start(c, agent.lateLoopback(0));
            AgentOutcome outcome = agent.awaitOutcome(LONG);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertInstanceOf(AgentOutcome.NoVerifier.class, outcome);
            assertEquals(AgentOutcome.NO_VERIFIER, outcome.exitStatus());
            String console = agent.console();
            assertTrue(console.contains("(round 1, 300ms)") && console.contains("(round 2, 600ms)"), console);
            assertTrue(console.split("\nfde: 127.0.0.1:").length >= 3, "address printed again each round:\n" + console);
            assertTrue(console.contains("GIVING UP: verifier:"), console);
            assertTrue(took.compareTo(Duration.ofMillis(1400)) >= 0, "gave up after " + took);
        }
    }

    @Test
    void run_networkLate_waitsThenServes() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(config(), agent.lateLoopback(5));
            InetSocketAddress address = agent.awaitAddress(LONG);

            assertTrue(agent.polls.get() >= 6, "polls: " + agent.polls.get());
            assertTrue(release(address, root.key, verifier).unlocked());
            assertEquals(0, agent.awaitOutcome(LONG).exitStatus());
        }
    }

    @Test
    void run_networkNeverUp_givesUpWithStatus5() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(config().withNetworkTimeout(Duration.ofMillis(400)), agent.lateLoopback(Integer.MAX_VALUE));
            AgentOutcome outcome = agent.awaitOutcome(LONG);

            assertInstanceOf(AgentOutcome.NoNetwork.class, outcome);
            assertEquals(AgentOutcome.NO_NETWORK, outcome.exitStatus());
            assertTrue(agent.console().contains("GIVING UP: network:"), agent.console());
            assertTrue(agent.polls.get() >= 2, "polled " + agent.polls.get());
        }
    }

    @Test
    void run_uuidNotOnAnyDevice_givesUpWithStatus6() throws Exception {
        AgentConfig c = AgentConfig.defaults("11111111-2222-4333-8444-555555555555").withBindAddress("127.0.0.1").withPort(0)
                .withProvider("simulated").withVerifierKey(verifierPub).withNetworkTimeout(Duration.ofMillis(300))
                .withBlockDevices(sys, dev);
        try (AgentHarness agent = new AgentHarness()) {
            AgentOutcome outcome = agent.start(c, agent.lateLoopback(0)).awaitOutcome(LONG);

            assertInstanceOf(AgentOutcome.NoRootDevice.class, outcome);
            assertEquals(AgentOutcome.NO_ROOT_DEVICE, outcome.exitStatus());
            assertTrue(agent.console().contains("root device: no LUKS volume with UUID 11111111-2222-4333-8444-555555555555"),
                    agent.console());
        }
    }

    @Test
    void run_missingVerifierKey_failsWithStatus1() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            AgentOutcome outcome = agent.start(config().withVerifierKey(tmp.resolve("absent.pem")), agent.lateLoopback(0))
                    .awaitOutcome(LONG);

            assertInstanceOf(AgentOutcome.Failed.class, outcome);
            assertEquals(AgentOutcome.ERROR, outcome.exitStatus());
        }
    }

    /** A host run: no sysfs scan (the block directory is empty), the boot unlock command and wildcard bind replaced. */
    private AgentConfig hostRunConfig() throws Exception {
        return AgentConfig.defaults(root.uuid).withPort(0).withProvider("simulated").withVerifierKey(verifierPub)
                .withVerifierWait(Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(90))
                .withBlockDevices(Files.createDirectories(tmp.resolve("empty-sys")), Files.createDirectories(tmp.resolve("empty-dev")))
                .withLuksHeader(root.pin);
    }

    @Test
    void runOnVolumeFile_wrongThenRightKey_checksTheVolumeKeyOnLoopbackAndSaysNoKernel() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.startOnVolumeFile(hostRunConfig(), root.file);
            InetSocketAddress address = agent.awaitAddress(LONG);
            byte[] wrong = root.key.clone();
            wrong[5] ^= 0x10;

            Ack first = release(address, wrong, verifier);
            assertFalse(first.unlocked(), first.detail());
            assertTrue(first.detail().contains("cryptsetup status 2"), first.detail());
            assertFalse(agent.awaitOutcomeQuietly());
            Ack second = release(address, root.key, verifier);

            assertTrue(second.unlocked(), second.detail());
            assertTrue(second.detail().contains("volume key fingerprint matches") && second.detail().contains("no kernel"),
                    second.detail());
            assertEquals(0, agent.awaitOutcome(LONG).exitStatus());
            String console = agent.console();
            assertTrue(console.contains("NO KERNEL: host run against the volume file " + root.file), console);
            assertTrue(console.contains("root volume " + root.uuid + " is " + root.file), console);
            assertTrue(console.contains("done: the released key opens " + root.file + " (checked only"), console);
            assertFalse(console.contains("/dev/mapper/"), console);
            assertFalse(console.toLowerCase().contains(HexFormat.of().formatHex(root.key)), "key bytes on the console");
        }
    }

    @Test
    void runOnVolumeFile_otherUuid_exitsSixWithoutListening() throws Exception {
        LuksFixture other = LuksFixture.format(tmp.resolve("other.luks"));
        try (AgentHarness agent = new AgentHarness()) {
            agent.startOnVolumeFile(hostRunConfig(), other.file);
            AgentOutcome outcome = agent.awaitOutcome(LONG);

            assertInstanceOf(AgentOutcome.NoRootDevice.class, outcome);
            assertEquals(AgentOutcome.NO_ROOT_DEVICE, outcome.exitStatus());
            assertTrue(agent.console().contains("carries LUKS UUID " + other.uuid), agent.console());
            assertFalse(agent.console().contains("fde: "), agent.console());
        }
    }

    @Test
    void runOnVolumeFile_releaseFromUnpinnedVerifier_refusedAndKeyNeverChecked() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.startOnVolumeFile(hostRunConfig(), root.file);
            Ack ack = release(agent.awaitAddress(LONG), root.key, LoopbackVerifier.withThrowawayKey());

            assertFalse(ack.unlocked());
            assertTrue(ack.detail().startsWith("release refused"), ack.detail());
            assertFalse(agent.awaitOutcomeQuietly());
            assertFalse(agent.console().contains("key released by the verifier"), agent.console());
        }
    }

    // ---------------------------------------------------------------- the header swap (issue 11 item 4)

    @Test
    void run_cipherNullHeaderWithTheImagesUuid_refusedWithStatus7BeforeListening() throws Exception {
        swapToCipherNull(root.file);
        try (AgentHarness agent = new AgentHarness()) {
            AgentOutcome outcome = agent.start(config(), agent.lateLoopback(0)).awaitOutcome(LONG);

            assertInstanceOf(AgentOutcome.HeaderRefused.class, outcome);
            assertEquals(AgentOutcome.HEADER_REFUSED, outcome.exitStatus());
            String console = agent.console();
            assertTrue(console.contains("REFUSED: LUKS header: keyslots.0.area.encryption: cipher_null-ecb"), console);
            assertFalse(console.contains("fde: "), "nothing listens for a key:\n" + console);
        }
    }

    @Test
    void runOnVolumeFile_extraKeyslot_refusedWithStatus7() throws Exception {
        LuksHeaderTamper.editJson(root.file, json -> json.replace(
                "\"keyslots\":{\"0\":", "\"keyslots\":{\"1\":{},\"0\":"));
        try (AgentHarness agent = new AgentHarness()) {
            AgentOutcome outcome = agent.startOnVolumeFile(hostRunConfig(), root.file).awaitOutcome(LONG);

            assertEquals(AgentOutcome.HEADER_REFUSED, outcome.exitStatus());
            assertTrue(agent.console().contains("LUKS header: keyslots: expected exactly one"), agent.console());
        }
    }

    @Test
    void run_noRecordedHeader_refusedWithStatus7() throws Exception {
        AgentConfig unpinned = AgentConfig.defaults(root.uuid).withBindAddress("127.0.0.1").withPort(0)
                .withProvider("simulated").withVerifierKey(verifierPub).withBlockDevices(sys, dev);
        try (AgentHarness agent = new AgentHarness()) {
            AgentOutcome outcome = agent.start(unpinned, agent.lateLoopback(0)).awaitOutcome(LONG);

            assertEquals(AgentOutcome.HEADER_REFUSED, outcome.exitStatus());
            assertTrue(agent.console().contains("LUKS header: luksHeader: agent.json records no LUKS header"), agent.console());
        }
    }

    @Test
    void run_headerRewrittenOnDiskAfterValidation_unlocksWithTheValidatedCopy() throws Exception {
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(config(), agent.lateLoopback(0));
            InetSocketAddress address = agent.awaitAddress(LONG);
            assertTrue(agent.console().contains("is the recorded one"), agent.console());
            // the host swaps the header while the agent waits: cryptsetup must never read it
            swapToCipherNull(root.file);

            Ack ack = release(address, root.key, verifier);
            assertTrue(ack.unlocked(), ack.detail());
            assertEquals(0, agent.awaitOutcome(LONG).exitStatus());
        }
    }

    @Test
    void run_volumeKeyNotTheRecordedOne_refusedAfterReleaseWithStatus7() throws Exception {
        // same shape, same passphrase, another volume key: e.g. another image built with the same key file
        byte[] otherFingerprint = root.pin.volumeKeyFingerprint();
        otherFingerprint[0] ^= 1;
        AgentConfig c = config().withLuksHeader(LuksFixture.pinFor(otherFingerprint));
        try (AgentHarness agent = new AgentHarness()) {
            agent.start(c, agent.lateLoopback(0));
            Ack ack = release(agent.awaitAddress(LONG), root.key, verifier);

            assertFalse(ack.unlocked());
            assertTrue(ack.detail().contains("volume refused: volume key"), ack.detail());
            AgentOutcome outcome = agent.awaitOutcome(LONG);
            assertEquals(AgentOutcome.HEADER_REFUSED, outcome.exitStatus());
            assertFalse(agent.console().toLowerCase().contains(HexFormat.of().formatHex(root.key)), "key bytes on the console");
        }
    }

    /** The attack: segment and keyslot cipher_null-ecb, the image's UUID kept, checksums valid. */
    static void swapToCipherNull(Path volume) throws Exception {
        LuksHeaderTamper.editJson(volume, json -> json.replace("aes-xts-plain64", "cipher_null-ecb"));
    }
}
