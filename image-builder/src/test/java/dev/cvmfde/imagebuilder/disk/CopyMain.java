package dev.cvmfde.imagebuilder.disk;

import java.nio.file.Path;

/** Copies any readable image to qcow2 or raw; run in a separate JVM with a small heap by {@link BoundedMemoryTest}. */
public final class CopyMain {
    private CopyMain() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Path target = Path.of(args[1]);
        DiskFormat format = DiskFormat.valueOf(args[2]);
        try (VirtualDisk in = VirtualDisks.open(Path.of(args[0])); AtomicOutput out = AtomicOutput.create(target);
             DiskImageWriter w = DiskWriters.create(format, out.tempFile(), in.size())) {
            DiskCopy.copy(in, w, done -> { });
            w.finish();
            out.commit();
        }
        System.out.println("max heap " + Runtime.getRuntime().maxMemory() + ", copy took "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
