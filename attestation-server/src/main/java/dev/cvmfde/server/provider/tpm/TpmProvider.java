package dev.cvmfde.server.provider.tpm;

import static dev.cvmfde.protocol.tpm.TpmConstants.*;

import dev.cvmfde.protocol.tpm.PcrSelection;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmTemplates;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TPM 2.0 evidence (docs/tpm-evidence.md): a quote by an attestation key over the sha256 PCRs the
 * UEFI boot measures, with the 64-byte challenge as qualifying data; the PCR values; the
 * firmware's TCG event log from securityfs; the RSA EK certificate from NV. The AK is a primary
 * key of the endorsement hierarchy made from a fixed template, so {@link #activateCredential}
 * re-derives the very key that signed the quote. Each call opens the TPM and closes it again (the
 * resource manager flushes what was left loaded).
 */
public final class TpmProvider implements EvidenceProvider {
    public static final String NAME = "tpm";
    public static final String DEFAULT_DEVICE = "/dev/tpmrm0";
    public static final Path DEFAULT_EVENT_LOG = Path.of("/sys/kernel/security/tpm0/binary_bios_measurements");
    /** PCRs quoted: firmware 0–7, grub 8 (strings) and 9 (files), shim's 14. */
    public static final Set<Integer> QUOTED_PCRS = Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14);
    /** The PCR the agent's "key consumed" event is extended into after the unlock. */
    public static final int KEY_CONSUMED_PCR = 8;
    /** The largest event log read (the wire limit). */
    public static final int MAX_EVENT_LOG_BYTES = dev.cvmfde.protocol.wire.WireLimits.MAX_EVENT_LOG_BYTES;

    private final String device;
    private final Path eventLog;
    private final PcrSelection selection;

    /**
     * @param device {@code /dev/tpmrm0}, or {@code tcp:HOST:PORT} for swtpm's TCP command port
     * @param eventLog the TCG2 event log (securityfs), read at each collection
     */
    public TpmProvider(String device, Path eventLog) {
        this(device, eventLog, QUOTED_PCRS);
    }

    /** As above, quoting {@code quotedPcrs} of the sha256 bank (the verifier requires at least 0–9). */
    public TpmProvider(String device, Path eventLog, Set<Integer> quotedPcrs) {
        this.device = java.util.Objects.requireNonNull(device, "device");
        this.eventLog = java.util.Objects.requireNonNull(eventLog, "eventLog");
        this.selection = new PcrSelection(TPM_ALG_SHA256, new java.util.TreeSet<>(quotedPcrs));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RawEvidence collect(byte[] challenge) throws EvidenceException {
        byte[] qualifying = EvidenceProvider.requireChallenge(NAME, challenge);
        byte[] log = readEventLog();
        try (Tpm tpm = open()) {
            byte[] ekCert = ekCertificate(tpm);
            Tpm.Loaded ak = tpm.createPrimary(TPM_RH_ENDORSEMENT, TpmTemplates.attestationKey());
            try {
                Tpm.Quoted quote = tpm.quote(ak.handle(), qualifying, selection);
                List<byte[]> values = tpm.pcrRead(selection);
                byte[] blob = new TpmEvidenceBlob(ak.publicArea(), quote.attest(), quote.signature(), values).encode();
                return new RawEvidence(NAME, blob, Optional.of(log), List.of(ekCert));
            } finally {
                tpm.flush(ak.handle());
            }
        } catch (TpmCommandException e) {
            throw new EvidenceException(Kind.REJECTED, NAME + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new EvidenceException(Kind.IO, NAME + ": TPM " + device + ": " + e.getMessage(), e);
        }
    }

    /**
     * Extends PCR {@value #KEY_CONSUMED_PCR} (grub's strings, always quoted) with SHA-256 of the
     * event's text. The boot's event log does not hold that event, so every later quote fails the
     * verifier's replay of PCR {@value #KEY_CONSUMED_PCR} (stage event-log).
     */
    @Override
    public MeasurementExtension extend(MeasurementEvent event) throws EvidenceException {
        try (Tpm tpm = open()) {
            tpm.pcrExtend(KEY_CONSUMED_PCR, java.security.MessageDigest.getInstance("SHA-256").digest(event.data()));
            byte[] value = tpm.pcrRead(new PcrSelection(TPM_ALG_SHA256, new java.util.TreeSet<>(Set.of(
                    KEY_CONSUMED_PCR)))).getFirst();
            return new MeasurementExtension.ExtendedPcr(KEY_CONSUMED_PCR, value);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        } catch (TpmCommandException e) {
            throw new EvidenceException(Kind.REJECTED, NAME + ": extending PCR " + KEY_CONSUMED_PCR + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new EvidenceException(Kind.IO, NAME + ": TPM " + device + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret) throws EvidenceException {
        try (Tpm tpm = open()) {
            Tpm.Loaded ak = tpm.createPrimary(TPM_RH_ENDORSEMENT, TpmTemplates.attestationKey());
            long ek = PERSISTENT_RSA_EK;
            boolean transientEk = tpm.readPublic(PERSISTENT_RSA_EK).isEmpty();
            if (transientEk) {
                ek = tpm.createPrimary(TPM_RH_ENDORSEMENT, TpmTemplates.rsaEndorsementKey()).handle();
            }
            try {
                long session = tpm.startPolicySession();
                tpm.policySecretEndorsement(session);
                return tpm.activateCredential(ak.handle(), ek, session, credentialBlob, encryptedSecret);
            } finally {
                tpm.flush(ak.handle());
                if (transientEk) {
                    tpm.flush(ek);
                }
            }
        } catch (TpmCommandException e) {
            throw new EvidenceException(Kind.REJECTED, NAME + ": credential activation: " + e.getMessage()
                    + " (the credential was not made for this TPM's EK and AK)", e);
        } catch (IOException e) {
            throw new EvidenceException(Kind.IO, NAME + ": TPM " + device + ": " + e.getMessage(), e);
        }
    }

    private Tpm open() throws EvidenceException {
        try {
            return new Tpm(TpmTransport.open(device));
        } catch (NoSuchFileException e) {
            throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": no TPM at " + device + " (load tpm_crb or tpm_tis; "
                    + "does the VM have a TPM device?)", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new EvidenceException(Kind.PERMISSION_DENIED, NAME + ": " + device + " is not readable and writable "
                    + "by this process", e);
        } catch (IOException e) {
            throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": cannot open the TPM " + device + ": "
                    + e.getMessage(), e);
        }
    }

    private static byte[] ekCertificate(Tpm tpm) throws IOException, TpmCommandException, EvidenceException {
        Optional<Integer> size = tpm.nvSize(NV_RSA_EK_CERT);
        if (size.isEmpty()) {
            throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": no RSA EK certificate in NV index 0x"
                    + Long.toHexString(NV_RSA_EK_CERT) + " (swtpm_setup --create-ek-cert writes one)");
        }
        byte[] cert = tpm.nvRead(NV_RSA_EK_CERT, size.get());
        int end = derLength(cert);
        // some platforms pad the NV index after the DER certificate
        return end > 0 && end < cert.length ? java.util.Arrays.copyOf(cert, end) : cert;
    }

    /** The length of the DER SEQUENCE at the start, or -1. */
    private static int derLength(byte[] der) {
        if (der.length < 2 || der[0] != 0x30) {
            return -1;
        }
        int first = der[1] & 0xff;
        if (first < 0x80) {
            return 2 + first;
        }
        int n = first & 0x7f;
        if (n < 1 || n > 3 || der.length < 2 + n) {
            return -1;
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (der[2 + i] & 0xff);
        }
        return 2 + n + len;
    }

    private byte[] readEventLog() throws EvidenceException {
        try (InputStream in = Files.newInputStream(eventLog)) {
            byte[] bytes = in.readNBytes(MAX_EVENT_LOG_BYTES + 1);
            if (bytes.length > MAX_EVENT_LOG_BYTES) {
                throw new EvidenceException(Kind.TOO_LARGE, NAME + ": event log " + eventLog + " is larger than "
                        + MAX_EVENT_LOG_BYTES + " bytes");
            }
            if (bytes.length == 0) {
                throw new EvidenceException(Kind.MALFORMED, NAME + ": event log " + eventLog + " is empty");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": no event log at " + eventLog + " (is securityfs "
                    + "mounted at /sys/kernel/security, and did the firmware hand over a TCG2 log?)", e);
        } catch (IOException e) {
            throw new EvidenceException(Kind.IO, NAME + ": cannot read the event log " + eventLog + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TpmProvider[" + device + ", event log " + eventLog + "]";
    }
}
