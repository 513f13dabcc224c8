package dev.cvmfde.refvalues.eventlog;

/**
 * What the register index of an event means. Both formats share the TCG2 crypto-agile binary
 * layout; they differ in the index: a TPM PCR (0–23) or a CC measurement-register index
 * (CCEL, 0 = the initial measurement, 1–4 = REM[0]–REM[3] on CCA, RTMR[0]–[3] on TDX).
 */
public enum LogFormat {
    TCG2(23),
    CCEL(4);

    private final int maxIndex;

    LogFormat(int maxIndex) {
        this.maxIndex = maxIndex;
    }

    public int maxIndex() {
        return maxIndex;
    }
}
