package dev.cvmfde.protocol.tpm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code token} of TPM evidence ({@code provider "tpm"}; docs/tpm-evidence.md): magic
 * {@value #MAGIC}, TPM2B_PUBLIC of the AK, TPM2B_ATTEST of the quote, the TPMT_SIGNATURE (u16
 * size first) and the PCR values read after the quote (u16 count, TPM2B_DIGEST each, in the
 * quote's selection order). Unverified: the verifier checks every part.
 */
public record TpmEvidenceBlob(byte[] akPublic, byte[] quote, byte[] signature, List<byte[]> pcrValues) {
    public static final String MAGIC = "CVMTPM01";
    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
    /** PCRs 0–23 at most. */
    public static final int MAX_PCR_VALUES = 24;

    public TpmEvidenceBlob {
        akPublic = akPublic.clone();
        quote = quote.clone();
        signature = signature.clone();
        pcrValues = pcrValues.stream().map(byte[]::clone).toList();
    }

    @Override
    public byte[] akPublic() {
        return akPublic.clone();
    }

    @Override
    public byte[] quote() {
        return quote.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public List<byte[]> pcrValues() {
        return pcrValues.stream().map(byte[]::clone).toList();
    }

    public byte[] encode() {
        TpmWriter w = new TpmWriter().bytes(MAGIC_BYTES).tpm2b(akPublic).tpm2b(quote).tpm2b(signature);
        w.u16(pcrValues.size());
        pcrValues.forEach(w::tpm2b);
        return w.toByteArray();
    }

    public static TpmEvidenceBlob decode(byte[] token) throws TpmFormatException {
        TpmReader r = new TpmReader(token);
        byte[] magic = r.bytes(MAGIC_BYTES.length, "magic");
        if (!Arrays.equals(magic, MAGIC_BYTES)) {
            throw new TpmFormatException("magic: not " + MAGIC + " (is this TPM evidence?)");
        }
        byte[] ak = r.tpm2b(TpmPublic.MAX_BYTES, "akPublic");
        byte[] quote = r.tpm2b(TpmQuote.MAX_BYTES, "quote");
        byte[] sig = r.tpm2b(TpmSignature.MAX_BYTES, "signature");
        int n = r.u16("pcrValues.count");
        if (n > MAX_PCR_VALUES) {
            throw new TpmFormatException("pcrValues.count: " + n + "; at most " + MAX_PCR_VALUES);
        }
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(r.tpm2b(64, "pcrValues[" + i + "]"));
        }
        r.requireEnd("TPM evidence");
        return new TpmEvidenceBlob(ak, quote, sig, values);
    }

    @Override
    public String toString() {
        return "TpmEvidenceBlob[AK " + akPublic.length + " B, quote " + quote.length + " B, " + pcrValues.size()
                + " PCR values]";
    }
}
