package dev.cvmfde.client.verify.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Freshness;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.tpm.PcrSelection;
import dev.cvmfde.protocol.tpm.TpmConstants;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmFormatException;
import dev.cvmfde.protocol.tpm.TpmPublic;
import dev.cvmfde.protocol.tpm.TpmQuote;
import dev.cvmfde.protocol.tpm.TpmSignature;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The stages of TPM evidence (docs/tpm-evidence.md) that CCA evidence does not have, and the TPM
 * forms of decode, freshness and event log. Each adds its checks and returns whether it passed.
 */
public final class TpmStages {
    /** PCRs every quote must cover: firmware 0–7, grub's strings (8) and files (9). */
    public static final SortedSet<Integer> REQUIRED_PCRS = new TreeSet<>(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    /** PCRs pinned by value from the baseline's golden boot. */
    public static final List<Integer> FIRMWARE_PCRS = List.of(0, 1, 2, 3, 7);
    /** hash.json member holding the golden firmware PCRs. */
    public static final String TPM_FIELD = "tpm";
    private static final HexFormat HEX = HexFormat.of();

    private TpmStages() {
    }

    /** TPM evidence, parsed and not yet trusted. */
    public record Decoded(TpmEvidenceBlob blob, TpmPublic ak, TpmQuote quote, TpmSignature signature) {
    }

    /** DECODE: the blob, the AK public area, the quote and its signature. */
    public static Optional<Decoded> decode(byte[] token, List<Check> out) {
        try {
            TpmEvidenceBlob blob = TpmEvidenceBlob.decode(token);
            TpmPublic ak = TpmPublic.parse(blob.akPublic());
            TpmQuote quote = TpmQuote.parse(blob.quote());
            TpmSignature sig = TpmSignature.parse(blob.signature());
            out.add(Check.pass(Stage.DECODE, "tpm-evidence", "AK public, TPMS_ATTEST quote, TPMT_SIGNATURE, PCR values",
                    ak + ", " + sig.algorithmName() + ", " + blob.pcrValues().size() + " PCR values, " + token.length
                            + " B"));
            return Optional.of(new Decoded(blob, ak, quote, sig));
        } catch (TpmFormatException e) {
            out.add(Check.fail(Stage.DECODE, "tpm-evidence", "TPM evidence (" + TpmEvidenceBlob.MAGIC + ")",
                    "malformed", e.getMessage()));
            return Optional.empty();
        }
    }

    /** EK_CERTIFICATE: the EK certificate validates (PKIX) to the pinned root, and certifies an RSA key. */
    public static boolean ekCertificate(List<byte[]> certChain, TrustAnchor anchor, Instant at, List<Check> out) {
        if (!(anchor instanceof TrustAnchor.TpmEkRoot root)) {
            out.add(Check.fail(Stage.EK_CERTIFICATE, "ek-root", "a pinned TPM EK root (--tpm-ek-root)",
                    anchor.describe(), "TPM evidence is verified against a TPM EK root only"));
            return false;
        }
        if (certChain.isEmpty()) {
            out.add(Check.fail(Stage.EK_CERTIFICATE, "ek-certificate", "the EK certificate (NV 0x01c00002)", "none",
                    "the evidence holds no EK certificate"));
            return false;
        }
        X509Certificate ek;
        try {
            ek = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certChain.getFirst()));
        } catch (GeneralSecurityException | RuntimeException e) {
            out.add(Check.fail(Stage.EK_CERTIFICATE, "ek-certificate", "a DER X.509 EK certificate", "unreadable",
                    String.valueOf(e.getMessage())));
            return false;
        }
        String expected = "chains to " + root.root().getSubjectX500Principal() + " at " + at;
        String actual = "issuer " + ek.getIssuerX500Principal() + ", serial " + ek.getSerialNumber().toString(16);
        Optional<String> problem = validate(ek, root, at);
        if (problem.isPresent()) {
            out.add(Check.fail(Stage.EK_CERTIFICATE, "ek-chain", expected, actual, problem.get()
                    + ": the EK is not vouched for by the pinned root"));
            return false;
        }
        out.add(Check.pass(Stage.EK_CERTIFICATE, "ek-chain", expected, actual));
        boolean rsa = ek.getPublicKey() instanceof RSAPublicKey;
        out.add(rsa ? Check.pass(Stage.EK_CERTIFICATE, "ek-key", "RSA (credential activation)",
                "RSA " + ((RSAPublicKey) ek.getPublicKey()).getModulus().bitLength())
                : Check.fail(Stage.EK_CERTIFICATE, "ek-key", "RSA (credential activation)",
                        ek.getPublicKey().getAlgorithm(), "only an RSA EK is supported"));
        return rsa;
    }

    /** Builds ek → intermediates → root by issuer names and validates it with PKIX (no revocation). */
    private static Optional<String> validate(X509Certificate ek, TrustAnchor.TpmEkRoot root, Instant at) {
        List<X509Certificate> path = new ArrayList<>();
        path.add(ek);
        X509Certificate last = ek;
        while (!last.getIssuerX500Principal().equals(root.root().getSubjectX500Principal())) {
            X509Certificate next = null;
            for (X509Certificate c : root.intermediates()) {
                if (c.getSubjectX500Principal().equals(last.getIssuerX500Principal()) && !path.contains(c)) {
                    next = c;
                }
            }
            if (next == null || path.size() >= TrustAnchor.MAX_CHAIN_CERTIFICATES - 1) {
                return Optional.of("no path from issuer " + last.getIssuerX500Principal() + " to the root");
            }
            path.add(next);
            last = next;
        }
        // ek, intermediates, root: IntegrityStages' PKIX validation (the same as for CCA chains)
        List<X509Certificate> chain = new ArrayList<>(path);
        chain.add(root.root());
        return IntegrityStages.validate(new TrustAnchor.CertificateChain(chain, root.root()), at);
    }

    /** AK_ACTIVATION: the guest returned the secret sealed to (EK, AK name): the AK lives in that TPM. */
    public static boolean akActivation(boolean answered, byte[] expected, byte[] returned, byte[] boundName,
            Decoded d, String notDone, List<Check> out) {
        String expectedText = "the secret sealed to the EK for AK " + HEX.formatHex(d.ak().name());
        if (!answered) {
            out.add(Check.fail(Stage.AK_ACTIVATION, "activate-credential", expectedText, "not activated", notDone));
            return false;
        }
        if (!MessageDigest.isEqual(boundName, d.ak().name())) {
            out.add(Check.fail(Stage.AK_ACTIVATION, "activate-credential", expectedText, "bound to "
                    + HEX.formatHex(boundName), "the credential was made for another AK than this evidence's"));
            return false;
        }
        boolean ok = MessageDigest.isEqual(expected, returned);
        out.add(ok ? Check.pass(Stage.AK_ACTIVATION, "activate-credential", expectedText, "returned by the guest")
                : Check.fail(Stage.AK_ACTIVATION, "activate-credential", expectedText, "a different value ("
                        + returned.length + " B)", "the guest's TPM could not activate the credential: the AK that "
                                + "signed the quote is not in the TPM whose EK certificate was sent"));
        return ok;
    }

    /** QUOTE_SIGNATURE: a restricted AK, a TPM-made quote, the AK's signature, the PCR digest of the values. */
    public static boolean quoteSignature(Decoded d, List<Check> out) {
        TpmPublic ak = d.ak();
        int required = TpmConstants.RESTRICTED | TpmConstants.SIGN | TpmConstants.FIXED_TPM
                | TpmConstants.FIXED_PARENT | TpmConstants.SENSITIVE_DATA_ORIGIN;
        boolean attrs = ak.has(required) && !ak.has(TpmConstants.DECRYPT);
        String attrText = "0x" + Integer.toHexString(ak.attributes());
        out.add(attrs ? Check.pass(Stage.QUOTE_SIGNATURE, "ak-attributes",
                "restricted signing, fixedTPM, sensitiveDataOrigin", attrText)
                : Check.fail(Stage.QUOTE_SIGNATURE, "ak-attributes", "restricted signing, fixedTPM, "
                        + "sensitiveDataOrigin, not decrypt", attrText, "only a restricted TPM key proves the quote is "
                                + "the TPM's own (it cannot sign outside data that looks like a quote)"));
        boolean magic = d.quote().magic() == TpmConstants.TPM_GENERATED_VALUE;
        out.add(magic ? Check.pass(Stage.QUOTE_SIGNATURE, "tpm-generated", "0xff544347", "0xff544347")
                : Check.fail(Stage.QUOTE_SIGNATURE, "tpm-generated", "0xff544347",
                        "0x" + Long.toHexString(d.quote().magic()), "the attestation was not made by a TPM"));
        boolean sig = d.signature().verify(ak.publicKey(), d.blob().quote());
        String keyName = "AK " + HEX.formatHex(ak.name());
        out.add(sig ? Check.pass(Stage.QUOTE_SIGNATURE, "quote-signature", "signed by " + keyName,
                d.signature().algorithmName() + " valid")
                : Check.fail(Stage.QUOTE_SIGNATURE, "quote-signature", "signed by " + keyName,
                        d.signature().algorithmName() + " signature invalid", "the quote was not signed by the AK"));
        List<byte[]> values = d.blob().pcrValues();
        int selected = d.quote().selection().stream().mapToInt(s -> s.pcrs().size()).sum();
        byte[] digest = sha256(values);
        boolean pcr = values.size() == selected && MessageDigest.isEqual(digest, d.quote().pcrDigest());
        out.add(pcr ? Check.pass(Stage.QUOTE_SIGNATURE, "pcr-digest", HEX.formatHex(d.quote().pcrDigest()),
                HEX.formatHex(digest))
                : Check.fail(Stage.QUOTE_SIGNATURE, "pcr-digest", HEX.formatHex(d.quote().pcrDigest()) + " over "
                        + selected + " PCRs", HEX.formatHex(digest) + " over " + values.size() + " values",
                        "the reported PCR values are not the ones the quote signed"));
        return attrs && magic && sig && pcr;
    }

    /** FRESHNESS: the quote's qualifying data is this session's 64-byte challenge binding. */
    public static void freshness(TpmQuote quote, Freshness freshness, List<Check> out) {
        AppraisalStages.freshness(quote.extraData(), "quote-qualifying-data", "the quote's qualifying data", freshness,
                out);
    }

    /**
     * PCR_SELECTION: one sha256 bank holding {@link #REQUIRED_PCRS} and every PCR the log measures
     * into (an event in an unquoted PCR would be a component nothing vouches for).
     */
    public static boolean pcrSelection(TpmQuote quote, Optional<List<LogEvent>> events, List<Check> out) {
        List<PcrSelection> sel = quote.selection();
        if (sel.size() != 1 || sel.getFirst().hashAlg() != TpmConstants.TPM_ALG_SHA256) {
            out.add(Check.fail(Stage.PCR_SELECTION, "pcr-bank", "one sha256 bank", sel.size() + " bank(s): "
                    + sel.stream().map(s -> "0x" + Integer.toHexString(s.hashAlg())).toList(),
                    "the quote must cover exactly the sha256 bank"));
            return false;
        }
        out.add(Check.pass(Stage.PCR_SELECTION, "pcr-bank", "one sha256 bank", "sha256"));
        SortedSet<Integer> needed = new TreeSet<>(REQUIRED_PCRS);
        events.ifPresent(list -> list.stream().filter(e -> e.type() != EventType.EV_NO_ACTION)
                .forEach(e -> needed.add(e.index())));
        SortedSet<Integer> missing = new TreeSet<>(needed);
        missing.removeAll(sel.getFirst().pcrs());
        String expected = "PCRs " + needed + " (0-9 and every PCR the log measures into)";
        if (missing.isEmpty()) {
            out.add(Check.pass(Stage.PCR_SELECTION, "pcr-selection", expected, "PCRs " + sel.getFirst().pcrs()));
            return true;
        }
        out.add(Check.fail(Stage.PCR_SELECTION, "pcr-selection", expected, "PCRs " + sel.getFirst().pcrs(),
                "the quote leaves out PCR " + missing + ": what was measured there is not vouched for"));
        return false;
    }

    /** The log's events, or empty with a FAIL when it does not parse (checked again, per PCR, by {@link #eventLog}). */
    public static Optional<List<LogEvent>> parseLog(Optional<byte[]> log) {
        if (log.isEmpty() || log.get().length > dev.cvmfde.client.verify.EvidenceInput.MAX_EVENT_LOG_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(AppraisalStages.readEvents(log.get(), LogFormat.TCG2));
        } catch (EventLogException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * EVENT_LOG: the TCG2 log parses and replaying it in the sha256 bank gives each quoted PCR's
     * reported value. Returns the events only if so. Without a log: FAIL when {@code required}
     * (a baseline was given), else SKIPPED naming {@link Insecure#NO_EVENT_LOG}.
     */
    public static Optional<List<LogEvent>> eventLog(Optional<byte[]> log, Decoded d, boolean required,
            List<Check> out) {
        Optional<byte[]> bounded = AppraisalStages.boundedLog(log, required, "the PCRs are not replayed", out);
        if (bounded.isEmpty()) {
            return Optional.empty();
        }
        List<LogEvent> events;
        Registers regs;
        try {
            events = AppraisalStages.readEvents(bounded.get(), LogFormat.TCG2);
            regs = Replayer.replay(events, LogFormat.TCG2, DigestAlgorithm.SHA256);
        } catch (EventLogException | IOException e) {
            out.add(Check.fail(Stage.EVENT_LOG, "parse", "a TCG2 event log with a sha256 bank", "unreadable",
                    e.getMessage()));
            return Optional.empty();
        }
        List<Integer> pcrs = new ArrayList<>(d.quote().selection().getFirst().pcrs());
        List<byte[]> values = d.blob().pcrValues();
        boolean all = true;
        for (int i = 0; i < pcrs.size(); i++) {
            byte[] quoted = values.get(i);
            byte[] replayed = regs.get(pcrs.get(i)).value();
            boolean ok = MessageDigest.isEqual(quoted, replayed);
            all &= ok;
            String name = "PCR[" + pcrs.get(i) + "]";
            out.add(ok ? Check.pass(Stage.EVENT_LOG, name, HEX.formatHex(quoted), HEX.formatHex(replayed))
                    : Check.fail(Stage.EVENT_LOG, name, HEX.formatHex(quoted), HEX.formatHex(replayed),
                            "replaying the event log does not give the quoted PCR: the log is not what was measured"));
        }
        return all ? Optional.of(events) : Optional.empty();
    }

    /** FIRMWARE_PCRS: PCRs 0–3, 7 equal the golden values of hash.json's {@value #TPM_FIELD} member. */
    public static void firmwarePcrs(Optional<Baseline> baseline, Decoded d, List<Check> out) {
        Map<Integer, byte[]> quoted = new TreeMap<>();
        List<Integer> pcrs = new ArrayList<>(d.quote().selection().getFirst().pcrs());
        for (int i = 0; i < pcrs.size(); i++) {
            quoted.put(pcrs.get(i), d.blob().pcrValues().get(i));
        }
        JsonNode tpm = baseline.map(b -> b.extraFields().get(TPM_FIELD)).orElse(null);
        if (tpm == null) {
            out.add(Check.unchecked(Stage.FIRMWARE_PCRS, "firmware-pcrs", Insecure.NO_FIRMWARE_PCRS, "hash.json has "
                    + "no \"" + TPM_FIELD + "\" golden firmware PCRs: quoted " + describe(quoted)));
            return;
        }
        JsonNode bank = tpm.get("pcr_bank");
        JsonNode values = tpm.get("firmware_pcrs");
        if (bank == null || !"sha256".equals(bank.asText()) || values == null || !values.isObject()) {
            out.add(Check.fail(Stage.FIRMWARE_PCRS, "baseline-tpm", "\"tpm\": {\"pcr_bank\": \"sha256\", "
                    + "\"firmware_pcrs\": {…}}", shorten(tpm.toString()), "hash.json \"tpm\" is malformed"));
            return;
        }
        String source = tpm.has("source") ? " (" + shorten(tpm.get("source").asText()) + ")" : "";
        for (int pcr : FIRMWARE_PCRS) {
            JsonNode v = values.get(Integer.toString(pcr));
            String name = "PCR[" + pcr + "]";
            byte[] actual = quoted.get(pcr);
            String actualHex = actual == null ? "(not quoted)" : HEX.formatHex(actual);
            if (v == null || !v.isTextual() || !v.textValue().matches("[0-9a-f]{64}")) {
                out.add(Check.fail(Stage.FIRMWARE_PCRS, name, "64 lowercase hex digits in hash.json",
                        v == null ? "(missing)" : shorten(v.toString()), "hash.json \"tpm\".\"firmware_pcrs\" "
                                + "must pin PCRs " + FIRMWARE_PCRS));
                continue;
            }
            byte[] expected = HEX.parseHex(v.textValue());
            boolean ok = actual != null && MessageDigest.isEqual(expected, actual);
            out.add(ok ? Check.pass(Stage.FIRMWARE_PCRS, name, v.textValue() + source, actualHex)
                    : Check.fail(Stage.FIRMWARE_PCRS, name, v.textValue() + source, actualHex, "the firmware (or its "
                            + "configuration, or Secure Boot state) is not the golden boot's"));
        }
    }

    private static String describe(Map<Integer, byte[]> quoted) {
        StringBuilder sb = new StringBuilder();
        for (int pcr : FIRMWARE_PCRS) {
            byte[] v = quoted.get(pcr);
            sb.append(sb.isEmpty() ? "" : ", ").append(pcr).append('=').append(v == null ? "-" : HEX.formatHex(v));
        }
        return sb.toString();
    }

    private static byte[] sha256(List<byte[]> values) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            values.forEach(md::update);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** A short form of evidence-supplied text for a table cell. */
    private static String shorten(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
