package dev.cvmfde.client.cli;

import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import dev.cvmfde.client.verify.AppraisalJson;
import dev.cvmfde.client.verify.EvidenceInput;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.Refused;
import dev.cvmfde.client.verify.VerdictTable;
import dev.cvmfde.client.verify.Verifier;
import dev.cvmfde.protocol.token.CcaTokenDecoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code verify}: checks a token (and optionally its event log against hash.json) and prints every check. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Verifies a CCA / virtCCA attestation token, stage by stage: decode, platform-signature (trust anchor), "
                    + "realm-signature (RAK), binding, freshness, baseline (hash.json signature), rim, event-log "
                    + "(REM replay), boot-components (grub, grub.cfg, kernel, initramfs, kernel command line vs "
                    + "hash.json), policy. Prints a table of every check (or JSON with --json).",
            "Freshness FAILS unless --expected-challenge is given; --insecure-no-freshness (old name --no-freshness) "
                    + "skips it deliberately (offline inspection only).",
            "It fails closed like 'release': without a signed baseline with \"cmdline\", a reference RIM and an event "
                    + "log the verdict is REFUSED, unless each missing check is named: --insecure-no-baseline, "
                    + "--insecure-unsigned-baseline, --insecure-no-cmdline, --insecure-no-rim, --insecure-no-event-log "
                    + "(shown as SKIPPED (INSECURE: <option>)). Give the simulated TEE's CPAK with --simulated-anchor.",
            "For a virtCCA cVM-only token the trust anchor is the device AIK (key or certificate chain), and the "
                    + "binding check requires that AIK to equal the RAK in the token.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  attestation-client verify --token token.cbor --trust-anchor cpak.pub.pem \\",
            "      --expected-challenge 9f2c…(128 hex) --rim 5a1e… --insecure-no-event-log --insecure-no-baseline",
            "  attestation-client verify --token token.cbor --trust-anchor aik-chain.pem --trust-root huawei-root.pem \\",
            "      --expected-challenge … --event-log ccel.bin --baseline hash.json --baseline-signer builder.pub.jwk",
            "  attestation-client verify --token old.cbor --trust-anchor cpak.jwk --insecure-no-freshness --insecure-no-rim \\",
            "      --insecure-no-event-log --insecure-no-baseline --json",
            "",
            "Trust anchor forms: PEM PUBLIC KEY, a public JWK, PEM/DER X.509 certificates (leaf first, self-signed",
            "root last; or give the root with --trust-root). Chains are validated with PKIX at the current time.",
            "hash.json may pin the kernel arguments in a \"cmdline\" field (without the kernel path).",
            "",
            "Exit codes:",
            "  0  affirming: every check passed",
            "  1  error: a file could not be read, a bad trust anchor or baseline, an internal fault",
            "  2  usage: unknown or conflicting options, malformed hex",
            "  3  refused: the evidence failed at least one check, or a check could not run and no --insecure-… option",
            "     named it (the table says which, and why)"})
public final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--token", required = true, paramLabel = "FILE", description = "The attestation token (CBOR).")
    Path token;

    @Mixin
    EvidenceOptions evidence;

    @Option(names = "--expected-challenge", paramLabel = "HEX", description = "The 64-byte realm challenge (128 hex).")
    String expectedChallenge;

    @Option(names = {"--insecure-no-freshness", "--no-freshness"},
            description = "INSECURE: do NOT check the realm challenge (offline inspection; loud in the output).")
    boolean noFreshness;

    @Option(names = "--event-log", paramLabel = "FILE", description = "CCEL event log to replay against the REMs.")
    Path eventLog;

    @Option(names = "--baseline", paramLabel = "FILE", description = "hash.json to compare the boot components with (needs --event-log).")
    Path baseline;

    @Option(names = "--baseline-signature", paramLabel = "FILE", description = "Detached JWS over hash.json (default: <baseline>.jws).")
    Path baselineSignature;

    @Option(names = "--json", description = "Print JSON instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        return ExitCodes.guard(spec, this::verify);
    }

    private int verify() throws Exception {
        checkUsage();
        EvidenceInput.Builder b = EvidenceInput.builder(read(token, CcaTokenDecoder.MAX_TOKEN_BYTES + 1),
                evidence.loadTrustAnchor(spec)).simulatedAnchor(evidence.simulated())
                .insecure(evidence.insecure(spec, baseline != null));
        if (expectedChallenge != null) {
            b.expectedChallenge(hex(expectedChallenge, "--expected-challenge", 64));
        } else if (noFreshness) {
            b.withoutFreshness();
        }
        evidence.referenceRim(spec).ifPresent(b::referenceRim);
        if (eventLog != null) {
            b.eventLog(read(eventLog, EvidenceInput.MAX_EVENT_LOG_BYTES + 1));
        }
        if (baseline != null) {
            b.baseline(reference());
        }
        Appraisal appraisal = Verifier.appraise(b.build());
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? AppraisalJson.toJson(appraisal) : VerdictTable.render(appraisal));
        out.flush();
        return switch (appraisal) {
            case Affirming a -> ExitCodes.OK;
            case Refused r -> ExitCodes.REFUSED;
        };
    }

    private void checkUsage() {
        if (evidence.tpmEkRoot != null) {
            throw ExitCodes.usage(spec, "--tpm-ek-root: TPM evidence is verified by 'release' (its AK is proven by "
                    + "credential activation with the guest's TPM, which offline verification cannot do)");
        }
        if (expectedChallenge != null && noFreshness) {
            throw ExitCodes.usage(spec, "--expected-challenge and --insecure-no-freshness exclude each other");
        }
        if (baseline != null && eventLog == null) {
            throw ExitCodes.usage(spec, "--baseline needs --event-log: the boot components are read from the log");
        }
        if (baseline == null && (evidence.baselineSigner != null || baselineSignature != null)) {
            throw ExitCodes.usage(spec, "--baseline-signer and --baseline-signature need --baseline");
        }
        if (baselineSignature != null && evidence.baselineSigner == null) {
            throw ExitCodes.usage(spec, "--baseline-signature needs --baseline-signer (the key it must verify with)");
        }
    }

    private ReferenceBaseline reference() throws Exception {
        return BaselineFiles.read(baseline, evidence.baselineSigner, baselineSignature);
    }

    private byte[] hex(String s, String option, int bytes) {
        return Hex.parse(s, option, bytes, spec);
    }

    private static byte[] read(Path file, int limit) throws IOException {
        return BaselineFiles.readBounded(file, limit);
    }
}
