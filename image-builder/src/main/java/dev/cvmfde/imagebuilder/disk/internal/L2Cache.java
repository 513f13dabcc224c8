package dev.cvmfde.imagebuilder.disk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU cache of qcow2 L2 tables keyed by their host offset. The bound is in bytes
 * ({@link #MAX_CACHE_BYTES}), so memory stays fixed whatever the cluster size or image size.
 */
final class L2Cache {

    /** Upper bound of cached L2 tables: 8 MiB maps 64 GiB of disk with 64 KiB clusters. */
    static final int MAX_CACHE_BYTES = 8 << 20;

    private final FileRegion file;
    private final int tableBytes;
    private final Map<Long, LongBuffer> tables;

    L2Cache(FileRegion file, int clusterSize) {
        this.file = file;
        this.tableBytes = clusterSize;
        int maxTables = Math.max(2, MAX_CACHE_BYTES / clusterSize);
        this.tables = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, LongBuffer> eldest) {
                return size() > maxTables;
            }
        };
    }

    /** The L2 table at {@code hostOffset}; the caller has checked alignment. */
    LongBuffer table(long hostOffset) throws IOException {
        LongBuffer t = tables.get(hostOffset);
        if (t == null) {
            ByteBuffer raw = file.readStruct(hostOffset, tableBytes, "qcow2.l1-entry.bounds");
            t = raw.asLongBuffer();
            tables.put(hostOffset, t);
        }
        return t;
    }
}
