package dev.cvmfde.imagebuilder.luks.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Comparator;
import java.util.List;

/**
 * The bytes of a LUKS header region {@code [0, dataOffset)}: a few non-zero pieces (binary
 * headers, JSON, keyslot material), zeros everywhere else. Written piece by piece so a 16 MiB
 * header never sits in memory; the zeros are written too, because the region may hold old data.
 */
public record HeaderImage(long dataOffset, List<Piece> pieces) {

    private static final int ZERO_CHUNK_BYTES = 1024 * 1024;

    /** {@code bytes} at {@code offset} from the container start. */
    public record Piece(long offset, byte[] bytes) {
    }

    public HeaderImage {
        pieces = pieces.stream().sorted(Comparator.comparingLong(Piece::offset)).toList();
        long end = 0;
        for (Piece p : pieces) {
            if (p.offset() < end || p.offset() + p.bytes().length > dataOffset) {
                throw new IllegalArgumentException("header piece at " + p.offset() + " overlaps or passes the data offset");
            }
            end = p.offset() + p.bytes().length;
        }
    }

    /** Writes {@code [0, dataOffset)} at {@code base} in {@code out}. */
    public void writeTo(FileChannel out, long base) throws IOException {
        long pos = 0;
        for (Piece p : pieces) {
            writeZeros(out, base + pos, p.offset() - pos);
            writeFully(out, ByteBuffer.wrap(p.bytes()), base + p.offset());
            pos = p.offset() + p.bytes().length;
        }
        writeZeros(out, base + pos, dataOffset - pos);
    }

    static void writeZeros(FileChannel out, long position, long count) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK_BYTES, Math.max(count, 0)));
        long done = 0;
        while (done < count) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), count - done));
            writeFully(out, zeros, position + done);
            done += zeros.limit();
        }
    }

    static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            pos += out.write(buffer, pos);
        }
    }
}
