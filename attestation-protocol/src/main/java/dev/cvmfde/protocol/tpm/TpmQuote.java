package dev.cvmfde.protocol.tpm;

import static dev.cvmfde.protocol.tpm.TpmConstants.*;

import java.util.List;

/**
 * A parsed TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE: the magic, the qualifying data the quote was
 * asked for ({@code extraData}), the clock, the PCR selection and the digest of the selected PCR
 * values. Parsing proves nothing; the AK's signature over {@link #bytes()} does.
 */
public record TpmQuote(byte[] bytes, long magic, int type, byte[] qualifiedSigner, byte[] extraData, long clock,
        long resetCount, long restartCount, long firmwareVersion, List<PcrSelection> selection, byte[] pcrDigest) {

    public static final int MAX_BYTES = 1024;

    public TpmQuote {
        bytes = bytes.clone();
        qualifiedSigner = qualifiedSigner.clone();
        extraData = extraData.clone();
        selection = List.copyOf(selection);
        pcrDigest = pcrDigest.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public byte[] extraData() {
        return extraData.clone();
    }

    @Override
    public byte[] pcrDigest() {
        return pcrDigest.clone();
    }

    @Override
    public byte[] qualifiedSigner() {
        return qualifiedSigner.clone();
    }

    public static TpmQuote parse(byte[] attest) throws TpmFormatException {
        if (attest.length > MAX_BYTES) {
            throw new TpmFormatException("TPMS_ATTEST: " + attest.length + " bytes; at most " + MAX_BYTES);
        }
        TpmReader r = new TpmReader(attest);
        long magic = r.u32("TPMS_ATTEST.magic");
        int type = r.u16("TPMS_ATTEST.type");
        if (type != TPM_ST_ATTEST_QUOTE) {
            throw new TpmFormatException("TPMS_ATTEST.type: 0x" + Integer.toHexString(type) + "; a quote (0x8018) "
                    + "is required");
        }
        byte[] signer = r.tpm2b(68, "TPMS_ATTEST.qualifiedSigner");
        byte[] extra = r.tpm2b(66, "TPMS_ATTEST.extraData");
        long clock = r.u64("clockInfo.clock");
        long reset = r.u32("clockInfo.resetCount");
        long restart = r.u32("clockInfo.restartCount");
        r.u8("clockInfo.safe");
        long fw = r.u64("TPMS_ATTEST.firmwareVersion");
        List<PcrSelection> sel = PcrSelection.readList(r);
        byte[] digest = r.tpm2b(64, "TPMS_QUOTE_INFO.pcrDigest");
        r.requireEnd("TPMS_ATTEST");
        return new TpmQuote(attest, magic, type, signer, extra, clock, reset, restart, fw, sel, digest);
    }

    @Override
    public String toString() {
        return "TpmQuote[" + selection + ", clock " + clock + ", resets " + resetCount + "]";
    }
}
