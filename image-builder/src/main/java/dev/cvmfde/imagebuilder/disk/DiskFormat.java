package dev.cvmfde.imagebuilder.disk;

/** Container formats this module reads. */
public enum DiskFormat {
    RAW,
    QCOW2,
    VHD_FIXED,
    VHD_DYNAMIC
}
