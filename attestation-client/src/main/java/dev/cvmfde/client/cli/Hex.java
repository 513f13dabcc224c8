package dev.cvmfde.client.cli;

import java.util.HexFormat;
import picocli.CommandLine.Model.CommandSpec;

/** Hex option values; a malformed one is a usage error naming the option. */
final class Hex {
    private Hex() {
    }

    /** @param bytes the exact length required, or -1 for a digest (32, 48 or 64 bytes) */
    static byte[] parse(String s, String option, int bytes, CommandSpec spec) {
        try {
            byte[] b = HexFormat.of().parseHex(s.strip());
            if (bytes > 0 && b.length != bytes) {
                throw ExitCodes.usage(spec, option + ": " + b.length + " bytes given; exactly " + bytes + " ("
                        + 2 * bytes + " hex characters) are required");
            }
            if (bytes < 0 && b.length != 32 && b.length != 48 && b.length != 64) {
                throw ExitCodes.usage(spec, option + ": " + b.length + " bytes given; 32, 48 or 64 are allowed");
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, option + ": not hex (" + e.getMessage() + ")");
        }
    }
}
