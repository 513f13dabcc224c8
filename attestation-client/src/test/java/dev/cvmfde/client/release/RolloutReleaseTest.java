package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeys;
import dev.cvmfde.client.store.SignedBaseline;
import dev.cvmfde.client.store.StoredBaseline;
import dev.cvmfde.client.store.Verdict;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.provider.simulated.SimulatedIdentity;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout end to end with real guests (the simulated TEE behind the real attestation server)
 * and real releases: the store holds the image's old baseline, {@code rotateBaseline} adds the new
 * one with an end date; inside the window a guest booting the old image and one booting the new
 * image both get the key, after the end date the old one is refused at {@code boot-components}
 * and the new one still gets it. Each guest is appraised against the store's acceptable baselines
 * for the given instant (newest first), as the broker does.
 */
class RolloutReleaseTest {
    static final ImageId WEB = ImageId.of("web-01");

    @TempDir
    Path tmp;

    @Test
    void rotateBaseline_oldAndNewReleasedInsideWindow_oldRefusedAfter() throws Exception {
        GuestFixture f = new GuestFixture(tmp);
        byte[] key = Files.readAllBytes(f.rawKey);
        BootChain newChain = GuestFixture.chain("kernel 6.7.0");
        byte[] newJson = HashJson.toBytes(GuestFixture.baseline(newChain));
        RootKeys.generateFile(tmp.resolve("root.key"));
        try (RootKey root = RootKeys.open(tmp.resolve("root.key").toString());
             ImageStore store = ImageStores.create("dir:" + tmp.resolve("store"), root)) {
            byte[] oldJson = Files.readAllBytes(f.hashJson);
            store.add(WEB, new SignedBaseline(oldJson, BaselineSignature.sign(oldJson, f.builderKey),
                    f.builderKey.toPublicJWK()), SecretBytes.copyOf(key));
            Instant until = Instant.now().plus(Duration.ofDays(1));
            store.rotateBaseline(WEB, new SignedBaseline(newJson, BaselineSignature.sign(newJson, f.builderKey),
                    f.builderKey.toPublicJWK()), until);

            Instant inside = until.minus(Duration.ofHours(1));
            assertInstanceOf(ReleaseOutcome.Released.class, releaseFromStore(f, store, f.provider(), inside), "old, inside");
            assertInstanceOf(ReleaseOutcome.Released.class, releaseFromStore(f, store, provider(f, newChain), inside),
                    "new, inside");

            Instant after = until.plusSeconds(1);
            ReleaseOutcome.Refused old = assertInstanceOf(ReleaseOutcome.Refused.class,
                    releaseFromStore(f, store, f.provider(), after), "old, after the end date");
            assertEquals(List.of("boot-components"), old.stagesSentToGuest());
            assertInstanceOf(ReleaseOutcome.Released.class, releaseFromStore(f, store, provider(f, newChain), after),
                    "new, after the end date");

            assertEquals(3, f.received.size(), "three guests got the key");
            for (byte[] got : f.received) {
                assertArrayEquals(key, got);
            }
            assertEquals(List.of(Verdict.RELEASED, Verdict.RELEASED, Verdict.REFUSED, Verdict.RELEASED),
                    store.audit().tail(10).stream().map(r -> r.event().verdict()).toList());
        }
    }

    static SimulatedProvider provider(GuestFixture f, BootChain chain) throws Exception {
        return new SimulatedProvider(SimulatedIdentity.load(f.identityDir),
                Optional.of(EventLogWriter.toBytes(EventLogPredictor.predict(chain))),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    /** A guest booting with {@code provider}'s event log, appraised against each baseline accepted at {@code now}. */
    static ReleaseOutcome releaseFromStore(GuestFixture f, ImageStore store, SimulatedProvider provider, Instant now)
            throws Exception {
        ReleaseOutcome last = null;
        try (RunningServer guest = f.startServer(provider)) {
            for (StoredBaseline b : store.acceptableBaselines(WEB, now)) {
                ReleasePolicy policy = new ReleasePolicy(TrustAnchor.load(f.anchor), true,
                        Optional.of(b.toReferenceBaseline(f.builderKey.toPublicJWK())), Optional.empty(), Set.of());
                ReleaseClient client = new ReleaseClient(guest.localAddress(), policy,
                        VerifierKeys.readSigningKey(f.signingKey), Duration.ofSeconds(20), 0, line -> { });
                try (SecretBytes key = store.unwrapKey(WEB)) {
                    last = client.release(key);
                }
                if (last instanceof ReleaseOutcome.Released) {
                    store.audit().append(AuditEvent.of(now, guest.localAddress().toString(), WEB.value(),
                            Verdict.RELEASED, List.of(), null));
                    return last;
                }
            }
        }
        ReleaseOutcome.Refused refused = (ReleaseOutcome.Refused) last;
        store.audit().append(AuditEvent.of(now, "guest", WEB.value(), Verdict.REFUSED,
                refused.reasons().stream().map(ReleaseOutcome.Reason::stage).distinct().toList(), null));
        return last;
    }
}
