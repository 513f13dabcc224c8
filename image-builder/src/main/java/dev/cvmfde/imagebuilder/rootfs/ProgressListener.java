package dev.cvmfde.imagebuilder.rootfs;

/** Where a long run reports: named stages, and bytes done of the disk write. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
        @Override public void stage(String name) { }
        @Override public void bytes(long done, long total) { }
    };

    void stage(String name);

    void bytes(long done, long total);
}
