package dev.cvmfde.agent.luks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * What a hostile host does to the LUKS2 header on its disk: rewrites the JSON area of both
 * copies and recomputes each copy's SHA-256 checksum, so the result is a header cryptsetup
 * itself accepts ({@code cryptsetup luksDump} reads it) — only its content changed.
 */
public final class LuksHeaderTamper {
    private static final int HDR = 16384;
    private static final int BIN = 4096;
    private static final int OFF_CSUM = 448;

    private LuksHeaderTamper() {
    }

    /** The JSON text of the primary header. */
    public static String json(Path file) throws IOException {
        byte[] hdr = read(file, 0);
        int end = BIN;
        while (hdr[end] != 0) {
            end++;
        }
        return new String(hdr, BIN, end - BIN, StandardCharsets.UTF_8);
    }

    /** Replaces the JSON of both copies with {@code edit(json)}, checksums recomputed. */
    public static void editJson(Path file, UnaryOperator<String> edit) throws IOException {
        byte[] json = edit.apply(json(file)).getBytes(StandardCharsets.UTF_8);
        for (long offset : new long[] {0, HDR}) {
            byte[] hdr = read(file, offset);
            Arrays.fill(hdr, BIN, HDR, (byte) 0);
            System.arraycopy(json, 0, hdr, BIN, json.length);
            rechecksum(hdr);
            write(file, offset, hdr);
        }
    }

    /** Changes one binary-header byte of the copy at {@code offset} and recomputes its checksum (or not). */
    public static void editBinary(Path file, long offset, int at, byte[] bytes, boolean rechecksum) throws IOException {
        byte[] hdr = read(file, offset);
        System.arraycopy(bytes, 0, hdr, at, bytes.length);
        if (rechecksum) {
            rechecksum(hdr);
        }
        write(file, offset, hdr);
    }

    private static void rechecksum(byte[] hdr) {
        Arrays.fill(hdr, OFF_CSUM, OFF_CSUM + 64, (byte) 0);
        System.arraycopy(LuksHeaderCheck.sha256(hdr), 0, hdr, OFF_CSUM, 32);
    }

    private static byte[] read(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(HDR);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // fill
            }
            return b.array();
        }
    }

    private static void write(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        }
    }
}
