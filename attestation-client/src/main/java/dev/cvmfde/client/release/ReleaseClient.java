package dev.cvmfde.client.release;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.release.ReleaseException.Step;
import dev.cvmfde.client.release.internal.GuestConnection;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.CredentialActivation;
import dev.cvmfde.client.verify.TpmCredential;
import dev.cvmfde.client.verify.Refused;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.client.verify.Verifier;
import dev.cvmfde.client.verify.VerifierException;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.CredentialResponse;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.protocol.wire.Release;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The host side of one key release (push mode: the host connects to the guest). Sends an
 * evidence request with a fresh 64-byte nonce, appraises the evidence with {@link Verifier}
 * (freshness bound to the nonce and the guest's ephemeral key), then either seals the key with
 * {@link KeyRelease} (only for {@link Affirming}) or sends a refusal naming only the failed stages
 * (what was expected stays here), and reads the ack as the guest's unauthenticated claim.
 * Connection failures and timeouts before the evidence arrives are retried with backoff and a
 * new nonce; nothing is retried once evidence has been appraised.
 * <pre>{@code
 * ReleaseClient client = new ReleaseClient(guest, policy, signingKey, Duration.ofSeconds(30), 5, System.err::println);
 * switch (client.release(keyFile.passphrase())) { case Released r -> …r.guestReport()…; case Refused r -> …; }
 * }</pre>
 */
public final class ReleaseClient {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Longest accepted {@code timeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    public static final int MAX_RETRIES = 1000;
    /** Wait before the first retry; doubled after each one, up to {@link #MAX_BACKOFF}. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** A whole connection may last this many timeouts (the guest unlocks the disk before it acks). */
    public static final int DEADLINE_TIMEOUTS = 4;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final InetSocketAddress guest;
    private final ReleasePolicy policy;
    private final KeyRelease.Signer signer;
    private final Duration timeout;
    private final int retries;
    private final Consumer<String> progress;

    /**
     * @param timeout connect timeout and the longest silence accepted from the guest
     * @param retries further attempts after a connection failure or timeout before the evidence
     * @param progress receives one line per attempt problem (no secrets); e.g. {@code System.err::println}
     */
    public ReleaseClient(InetSocketAddress guest, ReleasePolicy policy, ECKey signingKey, Duration timeout, int retries,
            Consumer<String> progress) {
        this.guest = Objects.requireNonNull(guest, "guest");
        this.policy = Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(signingKey, "signingKey");
        if (!signingKey.isPrivate()) {
            throw new IllegalArgumentException("the verifier signing key needs its private part");
        }
        this.signer = KeyRelease.signer(signingKey); // parsed and made a JCA/Nimbus signer once
        if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout is " + timeout + "; 1 ms to " + MAX_TIMEOUT.toMinutes()
                    + " min is allowed");
        }
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("retries is " + retries + "; 0 to " + MAX_RETRIES + " are allowed");
        }
        this.timeout = timeout;
        this.retries = retries;
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Runs the exchange. {@code key} is zeroized by sealing; it stays intact if no evidence was
     * appraised (the caller closes it in any case).
     *
     * @throws ReleaseException when no attempt reached a verdict, or the verdict could not be sent (a missing
     *     ack after a release is not an error: it is {@link GuestReport.NoReport})
     * @throws VerifierException when the verifier itself fails (e.g. an unparseable hash.json)
     */
    public ReleaseOutcome release(SecretBytes key) throws ReleaseException, VerifierException {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 0;; attempt++) {
            try {
                return attempt(key);
            } catch (ReleaseException e) {
                if (!e.retryable() || attempt >= retries) {
                    throw e;
                }
                progress.accept("attempt " + (attempt + 1) + " of " + (retries + 1) + " failed: " + e.getMessage()
                        + "; retrying in " + backoff.toMillis() + " ms");
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private ReleaseOutcome attempt(SecretBytes key) throws ReleaseException, VerifierException {
        try (GuestConnection connection = GuestConnection.open(guest, timeout, timeout.multipliedBy(DEADLINE_TIMEOUTS))) {
            EvidenceRequest request = EvidenceRequest.fresh(RANDOM);
            byte[] nonce = request.nonce();
            connection.send(request, Step.REQUEST);
            Evidence evidence = (Evidence) connection.read(Expect.HOST_AWAITING_EVIDENCE, Step.EVIDENCE);
            Appraisal appraisal;
            boolean guestGone = false;
            if (policy.tpm()) {
                CredentialActivation activation = activate(connection, evidence);
                guestGone = activation instanceof CredentialActivation.NotDone n && n.reason().startsWith(GUEST_GONE);
                appraisal = Verifier.appraise(policy.tpmInput(nonce, evidence, activation));
            } else {
                appraisal = Verifier.appraise(policy.input(nonce, evidence));
            }
            List<ReleaseOutcome.Reason> reasons = reasons(appraisal, evidence);
            if (!reasons.isEmpty()) {
                ReleaseOutcome.Refused refused = new ReleaseOutcome.Refused(appraisal, reasons);
                if (!guestGone) {
                    connection.send(Refusal.of(refused.stagesSentToGuest()), Step.RELEASE);
                }
                return refused;
            }
            Affirming affirming = (Affirming) appraisal;
            String jws = KeyRelease.seal(affirming, nonce, evidence.ephemeralKey(), key, signer);
            connection.send(new Release(jws), Step.RELEASE);
            return new ReleaseOutcome.Released(affirming, guestReport(connection));
        }
    }

    private static final String GUEST_GONE = "the guest did not answer the credential challenge";

    /**
     * TPM evidence: MakeCredential to the evidence's EK for its AK, one round, the guest's answer.
     * Whatever goes wrong here is recorded for the verifier (stage ak-activation), never a pass.
     */
    private static CredentialActivation activate(GuestConnection connection, Evidence evidence)
            throws ReleaseException {
        TpmCredential credential;
        try {
            credential = TpmCredential.forEvidence(evidence.token(), evidence.certChain(), RANDOM);
        } catch (IllegalArgumentException e) {
            return new CredentialActivation.NotDone("no credential challenge was sent: " + e.getMessage());
        }
        connection.send(credential.challenge(), Step.CREDENTIAL);
        try {
            CredentialResponse answer = (CredentialResponse) connection.read(Expect.HOST_AWAITING_CREDENTIAL,
                    Step.CREDENTIAL);
            return credential.answered(answer.secret());
        } catch (ReleaseException e) {
            return new CredentialActivation.NotDone(GUEST_GONE + " (" + e.getMessage() + "): its TPM could not "
                    + "activate it");
        }
    }

    /** The ack, taken as what it is: the guest's unauthenticated claim. Its absence is reported, not thrown. */
    private static GuestReport guestReport(GuestConnection connection) {
        try {
            Ack ack = (Ack) connection.read(Expect.HOST_AWAITING_ACK, Step.ACK);
            return ack.unlocked() ? new GuestReport.ReportsUnlocked(ack.detail())
                    : new GuestReport.ReportsUnlockFailed(ack.detail());
        } catch (ReleaseException e) {
            return new GuestReport.NoReport(e.getMessage());
        }
    }

    /** The verifier's failed checks as refusal reasons; empty for {@link Affirming}. */
    static List<ReleaseOutcome.Reason> verifierReasons(Appraisal appraisal) {
        return switch (appraisal) {
            case Refused refused -> refused.failures().stream().map(ReleaseClient::reason).toList();
            case Affirming affirming -> List.of();
        };
    }

    /**
     * Why not to release: the verifier's failed checks, or the policy's missing event log (the
     * verifier refuses a log-less evidence itself when a baseline was given); empty to release.
     */
    private List<ReleaseOutcome.Reason> reasons(Appraisal appraisal, Evidence evidence) {
        List<ReleaseOutcome.Reason> fromVerifier = verifierReasons(appraisal);
        boolean verifierRefusedIt = fromVerifier.stream().anyMatch(r -> r.stage().equals(Stage.EVENT_LOG.label()));
        if (policy.requiresEventLog() && evidence.eventLog().isEmpty() && !verifierRefusedIt) {
            java.util.ArrayList<ReleaseOutcome.Reason> all = new java.util.ArrayList<>();
            all.add(missingEventLog());
            all.addAll(fromVerifier);
            return all;
        }
        return fromVerifier;
    }

    static ReleaseOutcome.Reason missingEventLog() {
        return new ReleaseOutcome.Reason(Stage.EVENT_LOG.label(), "expected an event log (required with a baseline, and unless "
                + "--insecure-no-event-log), the evidence holds none");
    }

    private static ReleaseOutcome.Reason reason(Check c) {
        String text = c.name() + ": expected " + c.expected() + ", got " + c.actual()
                + (c.detail().isEmpty() ? "" : " (" + c.detail() + ")");
        return new ReleaseOutcome.Reason(c.stage().label(), text);
    }

    private static void sleep(Duration d) throws ReleaseException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReleaseException(Step.CONNECT, false, "interrupted while waiting to retry", e);
        }
    }

    @Override
    public String toString() {
        return "ReleaseClient[" + guest.getHostString() + ":" + guest.getPort() + ", " + policy + ", timeout "
                + timeout + ", retries " + retries + "]";
    }
}
