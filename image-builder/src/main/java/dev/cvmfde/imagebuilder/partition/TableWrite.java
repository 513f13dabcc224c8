package dev.cvmfde.imagebuilder.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/** Bytes of an encoded partition table to be written at a byte {@code offset} of the disk. */
public record TableWrite(long offset, byte[] bytes) {

    public TableWrite {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes as a read-only buffer, without copying. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** Writes all {@code writes} into a raw disk file at their offsets. */
    public static void writeAll(List<TableWrite> writes, FileChannel channel) throws IOException {
        for (TableWrite w : writes) {
            ByteBuffer b = w.buffer();
            long pos = w.offset();
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
        }
    }
}
