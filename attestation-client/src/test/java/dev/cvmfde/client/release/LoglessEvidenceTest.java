package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Refused;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.RunningServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest whose evidence carries no event log, against a host that has a baseline: the real
 * server (simulated provider without a log) and the real client. The verifier itself refuses at
 * {@code event-log} (the verdict is never AFFIRMING), and no key is sent.
 */
class LoglessEvidenceTest {
    @TempDir
    Path dir;
    GuestFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new GuestFixture(dir);
    }

    @Test
    void release_baselineButNoEventLog_refusedAtEventLogNotAffirmed() throws Exception {
        try (RunningServer server = f.startServerWithoutEventLog()) {
            ReleasePolicy policy = new ReleasePolicy(TrustAnchor.load(f.anchor), true,
                    Optional.of(f.signedBaseline()), Optional.empty(), Set.of());
            ReleaseClient client = new ReleaseClient(server.localAddress(), policy,
                    VerifierKeys.readSigningKey(f.signingKey), Duration.ofSeconds(10), 0, line -> { });

            ReleaseOutcome outcome;
            try (SecretBytes key = SecretBytes.copyOf(Files.readAllBytes(f.rawKey))) {
                outcome = client.release(key);
            }

            ReleaseOutcome.Refused r = assertInstanceOf(ReleaseOutcome.Refused.class, outcome);
            Refused refused = assertInstanceOf(Refused.class, r.appraisal(), "the verdict itself refuses");
            assertEquals(Stage.EVENT_LOG, refused.firstFailedStage());
            Check c = refused.failures().getFirst();
            assertEquals("replay", c.name());
            assertEquals("no event log", c.actual());
            assertEquals(1, r.reasons().size(), () -> r.reasons().toString());
            assertEquals("event-log", r.reasons().getFirst().stage());
            assertTrue(f.received.isEmpty(), "no key reached the guest");
        }
    }

    @Test
    void releaseCommand_baselineButNoEventLog_exit3RefusedAtEventLog() throws Exception {
        try (RunningServer server = f.startServerWithoutEventLog()) {
            CliRun run = CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey));

            assertEquals(3, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VERDICT: REFUSED at event-log"), run.out());
            assertTrue(f.received.isEmpty());
        }
    }
}
