package dev.cvmfde.client.cli;

import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.TrustAnchor;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What evidence {@code verify} and {@code release} accept: the trust anchor (real, or the simulated
 * TEE's, each by its own option) and its root, the reference RIM, the key hash.json must be signed
 * with, and the checks the operator allows to be skipped ({@code --insecure-…}; every other check
 * that cannot run refuses). {@code --baseline} itself stays with each command: it needs an event
 * log in a different way.
 */
final class EvidenceOptions {
    @Option(names = "--trust-anchor", paramLabel = "FILE",
            description = "Platform key (CPAK/IAK) of a REAL platform or, for cVM-only tokens, the device AIK: PEM, JWK "
                    + "or certificates. Evidence marked simulated is refused against it.")
    Path trustAnchor;

    @Option(names = "--simulated-anchor", paramLabel = "FILE",
            description = "Instead of --trust-anchor: the SIMULATED TEE's public CPAK (the host's own copy from "
                    + "'attestation-server simulated-identity --anchor-out', never one read from an image). Only "
                    + "evidence marked simulated is accepted, and it is flagged loudly.")
    Path simulatedAnchor;

    @Option(names = "--tpm-ek-root", paramLabel = "PEM",
            description = "Instead of --trust-anchor: TPM evidence (provider tpm, docs/tpm-evidence.md). The pinned root "
                    + "the guest's EK certificate must chain to (PEM certificates: intermediates first, the self-signed "
                    + "root last; for swtpm: swtpm_localca's issuercert.pem then its root CA certificate).")
    Path tpmEkRoot;

    @Option(names = "--trust-root", paramLabel = "FILE",
            description = "Root certificate the anchor's chain must validate to (when not in that file).")
    Path trustRoot;

    @Option(names = "--rim", paramLabel = "HEX",
            description = "Reference realm initial measurement (32/48/64 bytes in hex); default: \"rim\" of the "
                    + "signed hash.json. Required unless --insecure-no-rim.")
    String rim;

    @Option(names = "--baseline-signer", paramLabel = "PUBKEY",
            description = "Public key (JWK or PEM, P-256/P-384) that must have signed hash.json (<baseline>.jws beside "
                    + "it; image-builder prints where its build key is). Required unless --insecure-unsigned-baseline.")
    Path baselineSigner;

    @Option(names = "--insecure-no-rim", description = "INSECURE: affirm without a reference RIM (shown in capitals).")
    boolean insecureNoRim;

    @Option(names = "--insecure-no-baseline",
            description = "INSECURE: affirm without hash.json: boot components are not appraised (shown in capitals).")
    boolean insecureNoBaseline;

    @Option(names = "--insecure-unsigned-baseline",
            description = "INSECURE: use hash.json without checking its signature (shown in capitals).")
    boolean insecureUnsignedBaseline;

    @Option(names = "--insecure-no-cmdline",
            description = "INSECURE: accept a hash.json without \"cmdline\": the kernel command line is not pinned.")
    boolean insecureNoCmdline;

    @Option(names = "--insecure-no-firmware-pcrs",
            description = "INSECURE (TPM evidence): affirm although hash.json has no golden firmware PCRs (\"tpm\"): "
                    + "PCRs 0-3 and 7 are not compared.")
    boolean insecureNoFirmwarePcrs;

    @Option(names = "--insecure-no-event-log",
            description = "INSECURE: affirm evidence without an event log: the REMs are not replayed.")
    boolean insecureNoEventLog;

    TrustAnchor loadTrustAnchor(CommandSpec spec) throws Exception {
        if (tpmEkRoot != null) {
            if (trustAnchor != null || simulatedAnchor != null || trustRoot != null || rim != null) {
                throw ExitCodes.usage(spec, "--tpm-ek-root (TPM evidence) excludes --trust-anchor, --simulated-anchor, "
                        + "--trust-root and --rim (CCA evidence)");
            }
            return TrustAnchor.loadTpmEkRoot(tpmEkRoot);
        }
        Path file = anchorFile(spec);
        return trustRoot == null ? TrustAnchor.load(file) : TrustAnchor.load(file, trustRoot);
    }

    /** True when the operator gave the simulated TEE's anchor (--simulated-anchor). */
    boolean simulated() {
        return simulatedAnchor != null;
    }

    private Path anchorFile(CommandSpec spec) {
        if ((trustAnchor == null) == (simulatedAnchor == null)) {
            throw ExitCodes.usage(spec, "give exactly one of --trust-anchor (a real platform), --simulated-anchor "
                    + "(the simulated TEE) and --tpm-ek-root (TPM evidence)");
        }
        return trustAnchor != null ? trustAnchor : simulatedAnchor;
    }

    /** The {@code --rim} bytes; malformed hex is a usage error. */
    Optional<byte[]> referenceRim(CommandSpec spec) {
        return rim == null ? Optional.empty() : Optional.of(Hex.parse(rim, "--rim", -1, spec));
    }

    /**
     * The checks the operator allows to be skipped; an --insecure-… option that contradicts the
     * input it would stand in for (--insecure-no-rim with --rim, …) is a usage error.
     */
    Set<Insecure> insecure(CommandSpec spec, boolean baselineGiven) {
        Set<Insecure> s = EnumSet.noneOf(Insecure.class);
        add(s, insecureNoRim, Insecure.NO_RIM, rim != null, "--rim", spec);
        add(s, insecureNoBaseline, Insecure.NO_BASELINE, baselineGiven, "--baseline", spec);
        add(s, insecureUnsignedBaseline, Insecure.UNSIGNED_BASELINE, baselineSigner != null, "--baseline-signer", spec);
        add(s, insecureNoCmdline, Insecure.NO_CMDLINE, false, "", spec);
        add(s, insecureNoEventLog, Insecure.NO_EVENT_LOG, false, "", spec);
        add(s, insecureNoFirmwarePcrs, Insecure.NO_FIRMWARE_PCRS, false, "", spec);
        return s;
    }

    private static void add(Set<Insecure> s, boolean on, Insecure i, boolean contradicted, String input,
            CommandSpec spec) {
        if (on && contradicted) {
            throw ExitCodes.usage(spec, i.option() + " and " + input + " exclude each other");
        }
        if (on) {
            s.add(i);
        }
    }
}
