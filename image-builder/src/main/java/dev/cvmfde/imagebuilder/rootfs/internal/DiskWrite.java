package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.disk.DiskCopy;
import dev.cvmfde.imagebuilder.disk.DiskExtent;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.disk.DiskImageWriter;
import dev.cvmfde.imagebuilder.disk.DiskReadChannel;
import dev.cvmfde.imagebuilder.disk.DiskWriters;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.disk.VirtualDisks;
import dev.cvmfde.imagebuilder.luks.LuksContainer;
import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.partition.TableWrite;
import dev.cvmfde.imagebuilder.rootfs.ProgressListener;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Writes the output disk. The LUKS encryptor writes with several workers at their own offsets,
 * so the disk is first assembled as a sparse raw file (the output itself for raw, a scratch
 * file in the work directory for qcow2, which is then converted sequentially and deleted):
 * the input copied up to its backup GPT, except the root's range and the ranges of the edited
 * partitions (zero ranges left as holes, so a root that moved leaves zeros behind), then the
 * edited partitions ({@link Placement}), the LUKS container holding the root, the new table.
 */
public final class DiskWrite {
    /** Buffer of each sequential copy. */
    static final int CHUNK_BYTES = 4 << 20;

    /** A partition image file written at {@code offset} of the output, {@code length} bytes. */
    public record Placement(Path image, long offset, long length) {
    }

    private DiskWrite() {
    }

    /** Copies {@code disk[offset, offset + length)} into a new file. */
    public static void extract(VirtualDisk disk, long offset, long length, Path target) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
            f.setLength(length);
            copyRange(disk, offset, length, f.getChannel(), 0);
        }
    }

    /**
     * Writes the disk: {@code rootImage} (the root partition's file system, possibly edited) goes
     * encrypted to the plan's root offset; {@code placements} at theirs.
     */
    public static void write(VirtualDisk in, DiskPlan plan, List<Placement> placements, Path rootImage,
                             LuksContainer luks, DiskFormat format, Path target, WorkDir work, ProgressListener progress)
            throws IOException, LuksException {
        Path raw = format == DiskFormat.RAW ? target : work.resolve("disk.raw");
        long total = plan.outputBytes() + (format == DiskFormat.RAW ? 0 : plan.outputBytes());
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(plan.outputBytes());
            FileChannel ch = f.getChannel();
            List<long[]> skip = new ArrayList<>();
            skip.add(new long[] {plan.rootInOffset(), plan.rootBytes()});
            for (Placement p : placements) {
                skip.add(new long[] {p.offset(), p.length()});
            }
            skip.sort(Comparator.comparingLong(a -> a[0]));
            long pos = 0;
            long end = Math.min(plan.inputCopyEnd(), in.size());
            for (long[] s : skip) {
                long stop = Math.min(s[0], end);
                if (stop > pos) {
                    copyRange(in, pos, stop - pos, ch, pos);
                }
                pos = Math.max(pos, s[0] + s[1]);
            }
            if (end > pos) {
                copyRange(in, pos, end - pos, ch, pos);
            }
            for (Placement p : placements) {
                try (VirtualDisk img = VirtualDisks.open(p.image())) {
                    if (img.size() > p.length()) {
                        throw new IOException(p.image().getFileName() + " has " + img.size() + " bytes; the partition "
                                + "holds " + p.length());
                    }
                    copyRange(img, 0, img.size(), ch, p.offset());
                }
            }
            progress.bytes(plan.outputBytes() - plan.rootBytes(), total);
            long before = plan.outputBytes() - plan.rootBytes();
            try (VirtualDisk root = VirtualDisks.open(rootImage);
                 DiskReadChannel plain = new DiskReadChannel(root, 0, plan.rootBytes())) {
                luks.writeTo(ch, plan.rootOutOffset(), plain, plan.rootBytes(), plan.rootBytes(),
                        done -> progress.bytes(Math.min(before + done, plan.outputBytes()), total));
            }
            TableWrite.writeAll(plan.tableWrites(), ch);
            ch.force(true);
        }
        if (format == DiskFormat.QCOW2) {
            try (VirtualDisk src = VirtualDisks.open(raw);
                 DiskImageWriter w = DiskWriters.qcow2(target, plan.outputBytes())) {
                DiskCopy.copy(src, w, done -> progress.bytes(plan.outputBytes() + done, total));
                w.finish();
            }
            Files.delete(raw);
        }
        progress.bytes(total, total);
    }

    /** Copies a range of {@code disk} to {@code out} at {@code outOffset}, leaving zero ranges as holes. */
    static void copyRange(VirtualDisk disk, long offset, long length, FileChannel out, long outOffset)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES);
        long end = offset + length;
        long pos = offset;
        while (pos < end) {
            Optional<DiskExtent> extent = disk.nextDataExtent(pos).filter(e -> e.offset() < end);
            if (extent.isEmpty()) {
                return;
            }
            long dataStart = Math.max(pos, extent.get().offset());
            long dataEnd = Math.min(end, extent.get().end());
            for (pos = dataStart; pos < dataEnd;) {
                int n = (int) Math.min(CHUNK_BYTES, dataEnd - pos);
                buf.clear().limit(n);
                disk.read(pos, buf);
                buf.flip();
                long at = outOffset + (pos - offset);
                while (buf.hasRemaining()) {
                    at += out.write(buf, at);
                }
                pos += n;
            }
        }
    }
}
