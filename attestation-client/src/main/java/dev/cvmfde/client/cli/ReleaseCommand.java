package dev.cvmfde.client.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.client.release.GuestReport;
import dev.cvmfde.client.release.ReleaseClient;
import dev.cvmfde.client.release.ReleaseOutcome;
import dev.cvmfde.client.release.ReleasePolicy;
import dev.cvmfde.client.verify.AppraisalJson;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.client.verify.VerdictTable;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.KeyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code release}: fetch evidence from a guest, verify it, release the disk key only if it affirms, await the ack. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = {
            "Connects to a guest's attestation server, asks for evidence bound to a fresh 64-byte nonce and the guest's "
                    + "ephemeral key, verifies it (the same stages as 'verify', freshness always on) and prints the "
                    + "verdict table. Only if every check passed is the key file sealed to the guest's ephemeral key "
                    + "(JWE, ECDH-ES+A256KW/A256GCM) inside a JWS signed with --signing-key; otherwise the guest is "
                    + "sent only the names of the failed stages (what was expected stays in this table). Then it reads the "
                    + "guest's ack. Nothing authenticates the ack (anyone on the path can forge or drop it), so it is "
                    + "printed as what the guest reports, never as a fact: the proof is the appraisal the key was "
                    + "sealed to. It decides only between exit 0 and 4 below.",
            "--retries N retries connection failures and timeouts that happen before the evidence arrives (a guest "
                    + "still booting; QEMU user networking may accept and drop connections before the guest listens), "
                    + "with backoff from " + "250 ms doubling to 5 s and a new nonce each time. Nothing is retried after "
                    + "evidence was appraised, and never after a refusal.",
            "The key is never printed or logged and is zeroized after sealing.",
            "It fails closed: the evidence is refused unless the signed baseline (--baseline with --baseline-signer), "
                    + "the kernel command line in it (\"cmdline\"), the reference RIM (--rim or \"rim\" in hash.json) "
                    + "and the event log are all there. Each can be skipped only by naming it: --insecure-no-baseline, "
                    + "--insecure-unsigned-baseline, --insecure-no-cmdline, --insecure-no-rim, --insecure-no-event-log; "
                    + "the verdict table then shows SKIPPED (INSECURE: <option>) and a banner in capitals.",
            "The simulated TEE is a property of the anchor: give its CPAK with --simulated-anchor (never "
                    + "--trust-anchor); simulated evidence against a real anchor, and unmarked evidence against the "
                    + "simulated anchor, are refused.",
            "TPM evidence (a UEFI + vTPM guest with provider tpm, docs/tpm-evidence.md): give --tpm-ek-root instead "
                    + "of --trust-anchor. After the evidence, one more round proves the quoting AK lives in the TPM "
                    + "whose EK certificate chains to that root (MakeCredential here, ActivateCredential in the "
                    + "guest); the firmware PCRs 0-3 and 7 must equal hash.json's \"tpm\" golden values "
                    + "(--insecure-no-firmware-pcrs to skip); no RIM is used.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  attestation-client release --server 192.168.122.50:7220 --baseline enc.qcow2.hash.json \\",
            "      --baseline-signer ~/.config/cvm-fde/baseline-signing.pub.jwk --key-file rootfs.key \\",
            "      --trust-anchor cpak.pub.pem --signing-key verifier.jwk --rim 5a1e… --retries 30",
            "  attestation-client release --server 127.0.0.1:7220 --baseline hash.json --baseline-signer builder.pub.jwk \\",
            "      --key-file dek.b64 --simulated-anchor sim-anchor/simulated-cpak.pub.pem \\",
            "      --signing-key verifier.jwk --json        (RIM from \"rim\" in the signed hash.json)",
            "  attestation-client release --server 10.0.2.15:7220 --tpm-ek-root ek-root.pem --baseline enc.qcow2.hash.json \\",
            "      --baseline-signer builder.pub.jwk --key-file rootfs.key --signing-key verifier.jwk   (TPM evidence)",
            "",
            "Key files: raw bytes (e.g. 32 random bytes) or IBM's DEK form (base64 on one line, 32-512 characters,",
            "no newline); the guest receives exactly the file's bytes (the LUKS keyslot passphrase).",
            "",
            "Exit codes:",
            "  0  released: every check passed, the key was sealed to the affirmed guest and sent, and the guest",
            "     reports (unauthenticated) that it unlocked",
            "  1  error: unreadable or invalid file (key file, signing key, trust anchor, hash.json), no connection",
            "     or timeout after all retries, a guest that broke the protocol before the verdict was sent",
            "  2  usage: unknown, missing or malformed options",
            "  3  refused: the evidence failed at least one check (or a check could not run and no --insecure-… option",
            "     named it); no key was sent, the guest was told only the failed stage names",
            "  4  released, unconfirmed: the key was sealed to the affirmed guest and sent, but the guest reports",
            "     the unlock failed (e.g. a wrong key file) or sent no report; check the guest's console"})
public final class ReleaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT",
            description = "The guest's attestation server (port default 7220; IPv6 as [addr]:port).")
    String server;

    @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "The disk key to release (raw or IBM base64 form; mode 0600, a key file group or others may read is refused).")
    Path keyFile;

    @Option(names = "--signing-key", required = true, paramLabel = "FILE",
            description = "The verifier's private JWK (from 'keygen'; mode 0600); the guest pins its public half.")
    Path signingKey;

    @Mixin
    PolicyOptions policy;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "30",
            description = "Connect timeout and longest silence from the guest, in seconds (default ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "Retries after connection failures/timeouts before the evidence arrives (default ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--json", description = "Print JSON (the verdict and the release outcome) instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        return ExitCodes.guard(spec, this::release);
    }

    private int release() throws Exception {
        Duration timeout = timeout();
        if (retries < 0 || retries > ReleaseClient.MAX_RETRIES) {
            throw ExitCodes.usage(spec, "--retries is " + retries + "; 0 to " + ReleaseClient.MAX_RETRIES + " are allowed");
        }
        var address = GuestAddress.parse(server, spec);
        ReleasePolicy releasePolicy = policy.load(spec);
        var signing = VerifierKeys.readSigningKey(signingKey);
        PrintWriter err = spec.commandLine().getErr();
        try (KeyFile key = KeyFile.read(keyFile)) {
            ReleaseClient client = new ReleaseClient(address, releasePolicy, signing, timeout, retries, line -> {
                err.println(spec.root().name() + ": " + line);
                err.flush();
            });
            return report(client.release(key.passphrase()));
        }
    }

    private int report(ReleaseOutcome outcome) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode tree = AppraisalJson.toTree(outcome.appraisal());
            ObjectNode release = tree.putObject("release");
            switch (outcome) {
                case ReleaseOutcome.Released r -> {
                    release.put("outcome", "released");
                    ObjectNode report = release.putObject("guestReport");
                    report.put("authenticated", false);
                    report.put("claim", switch (r.guestReport()) {
                        case GuestReport.ReportsUnlocked u -> "unlocked";
                        case GuestReport.ReportsUnlockFailed f -> "unlock-failed";
                        case GuestReport.NoReport n -> "none";
                    });
                    report.put("detail", r.guestReport().detail());
                }
                case ReleaseOutcome.Refused r -> {
                    release.put("outcome", "refused");
                    var told = release.putArray("stagesSentToGuest");
                    r.stagesSentToGuest().forEach(told::add);
                    var reasons = release.putArray("reasons");
                    for (ReleaseOutcome.Reason reason : r.reasons()) {
                        reasons.addObject().put("stage", reason.stage()).put("detail", reason.detail());
                    }
                }
            }
            out.println(tree.toPrettyString());
        } else {
            out.print(VerdictTable.render(outcome.appraisal()));
            out.println(status(outcome));
        }
        out.flush();
        return switch (outcome) {
            case ReleaseOutcome.Released r when r.guestReport() instanceof GuestReport.ReportsUnlocked -> ExitCodes.OK;
            case ReleaseOutcome.Released r -> {
                PrintWriter err = spec.commandLine().getErr();
                err.println(spec.root().name() + ": warning: the key was released, but the guest "
                        + (r.guestReport() instanceof GuestReport.NoReport ? "sent no report: " : "reports the unlock failed: ")
                        + r.guestReport().detail() + " (unauthenticated; check the guest's console)");
                err.flush();
                yield ExitCodes.RELEASED_UNCONFIRMED;
            }
            case ReleaseOutcome.Refused r -> ExitCodes.REFUSED;
        };
    }

    /** One line; the guest's ack is quoted as its claim, never stated as a fact. */
    static String status(ReleaseOutcome outcome) {
        return switch (outcome) {
            case ReleaseOutcome.Released r -> RELEASED + switch (r.guestReport()) {
                case GuestReport.ReportsUnlocked u -> "the guest reports (unauthenticated): unlocked: " + u.detail();
                case GuestReport.ReportsUnlockFailed f -> "the guest reports (unauthenticated): unlock failed: " + f.detail();
                case GuestReport.NoReport n -> "no report from the guest: " + n.detail();
            };
            case ReleaseOutcome.Refused r -> "REFUSED: no key was sent; the guest was told only the failed stage"
                    + (r.stagesSentToGuest().size() == 1 ? "" : "s") + ": " + String.join(", ", r.stagesSentToGuest())
                    + " (the details are in the table above)";
        };
    }

    private static final String RELEASED = "RELEASED: every check passed; the key was sealed to the guest's attested"
            + " ephemeral key and sent; ";

    private Duration timeout() {
        if (!(timeoutSeconds > 0) || timeoutSeconds * 1000 > ReleaseClient.MAX_TIMEOUT.toMillis()) {
            throw ExitCodes.usage(spec, "--timeout is " + timeoutSeconds + "; more than 0 and at most "
                    + ReleaseClient.MAX_TIMEOUT.toSeconds() + " seconds are allowed");
        }
        return Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000)));
    }

    /** What evidence is acceptable: the options shared with {@code verify}, and the baseline. */
    static final class PolicyOptions {
        @Mixin
        EvidenceOptions evidence;

        @Option(names = "--baseline", paramLabel = "FILE",
                description = "hash.json the boot components must match, signed (<FILE>.jws) by --baseline-signer "
                        + "(makes the event log required). Required unless --insecure-no-baseline.")
        Path baseline;

        ReleasePolicy load(CommandSpec spec) throws Exception {
            if (evidence.baselineSigner != null && baseline == null) {
                throw ExitCodes.usage(spec, "--baseline-signer needs --baseline");
            }
            var insecure = evidence.insecure(spec, baseline != null);
            TrustAnchor anchor = evidence.loadTrustAnchor(spec);
            Optional<ReferenceBaseline> reference = baseline == null ? Optional.empty()
                    : Optional.of(BaselineFiles.read(baseline, evidence.baselineSigner, null));
            Optional<byte[]> referenceRim = evidence.referenceRim(spec);
            return new ReleasePolicy(anchor, evidence.simulated(), reference, referenceRim, insecure);
        }
    }
}
