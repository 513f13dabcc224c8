package dev.cvmfde.protocol.cose.internal;

import com.upokecenter.cbor.CBORException;
import com.upokecenter.cbor.CBORObject;

/**
 * Decodes one CBOR item only after a structural pre-scan has proved that it stays inside
 * named limits: no declared length beyond the bytes that are actually there, no container
 * with more than {@link #MAX_CONTAINER_ITEMS} items, nesting no deeper than
 * {@link #MAX_DEPTH}, definite lengths only, only the tags CCA tokens use, and no bytes after
 * the item. The scan allocates nothing, so a hostile length field cannot make the CBOR
 * library allocate more than a small multiple of the input.
 */
public final class BoundedCbor {

    /** Deepest nesting of arrays, maps and tags accepted in one decoded item. */
    public static final int MAX_DEPTH = 16;
    /** Most items (or map entries) accepted in one array or map. */
    public static final int MAX_CONTAINER_ITEMS = 256;

    /** Tags that may appear: COSE_Sign1 (18), CCA EAT collection (399), CMW collection (907). */
    private static final long[] ALLOWED_TAGS = {18, 399, 907};

    private BoundedCbor() {
    }

    /** Thrown when the bytes are not one well-formed CBOR item inside the limits. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    /** Scans {@code data} against the limits, then decodes it. */
    public static CBORObject decode(byte[] data) throws Malformed {
        if (data.length == 0) {
            throw new Malformed("expected one CBOR item, got 0 bytes");
        }
        int end = new Scanner(data).item(0, 0);
        if (end != data.length) {
            throw new Malformed("expected one CBOR item, got " + (data.length - end)
                    + " bytes after it");
        }
        try {
            return CBORObject.DecodeFromBytes(data);
        } catch (CBORException | IllegalArgumentException | ArithmeticException e) {
            throw new Malformed("CBOR not accepted: " + e.getMessage());
        }
    }

    private static final class Scanner {
        private final byte[] d;

        Scanner(byte[] d) {
            this.d = d;
        }

        /** Returns the offset just after the item that starts at {@code pos}. */
        int item(int pos, int depth) throws Malformed {
            if (depth > MAX_DEPTH) {
                throw new Malformed("nesting deeper than MAX_DEPTH=" + MAX_DEPTH);
            }
            if (pos >= d.length) {
                throw new Malformed("truncated: item expected at offset " + pos);
            }
            int ib = d[pos] & 0xff;
            int major = ib >>> 5;
            int ai = ib & 0x1f;
            if (ai == 31) {
                throw new Malformed("indefinite-length item at offset " + pos + " (only definite lengths are accepted)");
            }
            if (ai >= 28) {
                throw new Malformed("reserved additional info " + ai + " at offset " + pos);
            }
            int headLen = ai < 24 ? 1 : 1 + (1 << (ai - 24));
            if (pos + headLen > d.length) {
                throw new Malformed("truncated header at offset " + pos);
            }
            long arg = ai < 24 ? ai : readArg(pos + 1, headLen - 1);
            int next = pos + headLen;
            long remaining = d.length - next;
            return switch (major) {
                case 0, 1, 7 -> next;
                case 2, 3 -> {
                    if (arg < 0 || arg > remaining) {
                        throw new Malformed("string at offset " + pos + " declares " + Long.toUnsignedString(arg)
                                + " bytes; only " + remaining + " follow");
                    }
                    yield next + (int) arg;
                }
                case 4, 5 -> {
                    long items = major == 5 ? arg * 2 : arg;
                    if (arg < 0 || arg > MAX_CONTAINER_ITEMS || items > remaining) {
                        throw new Malformed("container at offset " + pos + " declares " + Long.toUnsignedString(arg)
                                + " items; at most MAX_CONTAINER_ITEMS=" + MAX_CONTAINER_ITEMS
                                + " and no more than the bytes left are allowed");
                    }
                    int p = next;
                    for (long i = 0; i < items; i++) {
                        p = item(p, depth + 1);
                    }
                    yield p;
                }
                case 6 -> {
                    if (!allowedTag(arg)) {
                        throw new Malformed("tag " + Long.toUnsignedString(arg) + " at offset " + pos
                                + " is not one of 18, 399, 907");
                    }
                    yield item(next, depth + 1);
                }
                default -> throw new IllegalStateException("major type " + major);
            };
        }

        private long readArg(int from, int len) {
            long v = 0;
            for (int i = 0; i < len; i++) {
                v = (v << 8) | (d[from + i] & 0xff);
            }
            return v;
        }

        private static boolean allowedTag(long tag) {
            for (long t : ALLOWED_TAGS) {
                if (t == tag) {
                    return true;
                }
            }
            return false;
        }
    }
}
