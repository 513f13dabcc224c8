package dev.cvmfde.protocol.tpm;

import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** One TPMS_PCR_SELECTION: a hash bank and the PCRs selected in it (ascending). */
public record PcrSelection(int hashAlg, SortedSet<Integer> pcrs) {
    /** PCRs 0–23: three bytes of bitmap. */
    public static final int SELECT_BYTES = 3;

    public PcrSelection {
        pcrs = Collections.unmodifiableSortedSet(new TreeSet<>(pcrs));
        for (int p : pcrs) {
            if (p < 0 || p >= SELECT_BYTES * 8) {
                throw new IllegalArgumentException("PCR " + p + "; 0 to 23 are allowed");
            }
        }
    }

    /** Writes a TPML_PCR_SELECTION holding this one selection. */
    public void writeList(TpmWriter w) {
        w.u32(1);
        write(w);
    }

    public void write(TpmWriter w) {
        byte[] bitmap = new byte[SELECT_BYTES];
        for (int p : pcrs) {
            bitmap[p / 8] |= (byte) (1 << (p % 8));
        }
        w.u16(hashAlg).u8(SELECT_BYTES).bytes(bitmap);
    }

    /** Reads a TPML_PCR_SELECTION (at most 16 banks). */
    public static List<PcrSelection> readList(TpmReader r) throws TpmFormatException {
        long count = r.u32("TPML_PCR_SELECTION.count");
        if (count > 16) {
            throw new TpmFormatException("TPML_PCR_SELECTION.count: " + count + "; at most 16");
        }
        List<PcrSelection> out = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            int alg = r.u16("TPMS_PCR_SELECTION.hash");
            int size = r.u8("TPMS_PCR_SELECTION.sizeofSelect");
            byte[] bitmap = r.bytes(size, "TPMS_PCR_SELECTION.pcrSelect");
            SortedSet<Integer> pcrs = new TreeSet<>();
            for (int b = 0; b < bitmap.length; b++) {
                for (int bit = 0; bit < 8; bit++) {
                    if ((bitmap[b] & (1 << bit)) != 0) {
                        if (b * 8 + bit >= SELECT_BYTES * 8) {
                            throw new TpmFormatException("TPMS_PCR_SELECTION: PCR " + (b * 8 + bit)
                                    + " selected; 0 to 23 are allowed");
                        }
                        pcrs.add(b * 8 + bit);
                    }
                }
            }
            out.add(new PcrSelection(alg, pcrs));
        }
        return List.copyOf(out);
    }
}
