package dev.cvmfde.client.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * A head an operator kept from an earlier {@code audit verify} ({@code head SEQ:HASH}): record
 * {@code seq} of the trail had chain hash {@code hash}. {@link AuditTrail#verify(AuditAnchor)}
 * requires that record to be there still, with exactly that hash: the chain alone cannot show a
 * tail cut off, or rewritten and re-chained, after a point; an anchor kept elsewhere can. Seq 0
 * is the empty trail (its hash is {@link AuditTrail#GENESIS_HASH}) and holds for every trail.
 */
public record AuditAnchor(long seq, String hash) {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern TEXT = Pattern.compile("(\\d{1,18}):([0-9a-fA-F]{64})");
    /** The anchor every trail satisfies: seq 0, the empty trail (declared after the patterns it is checked with). */
    public static final AuditAnchor GENESIS = new AuditAnchor(0, AuditTrail.GENESIS_HASH);

    public AuditAnchor {
        if (seq < 0) {
            throw new IllegalArgumentException("an anchor's seq is 0 (the empty trail) or a record's seq (1, 2, …); got "
                    + seq);
        }
        if (hash == null || !HASH.matcher(hash).matches()) {
            throw new IllegalArgumentException("an anchor's hash is 64 lower-case hex digits (a SHA-256); got "
                    + (hash == null ? "none" : hash.length() + " characters"));
        }
        if (seq == 0 && !hash.equals(AuditTrail.GENESIS_HASH)) {
            throw new IllegalArgumentException("seq 0 is the empty trail, whose hash is 64 zeros; got " + hash);
        }
    }

    /**
     * Parses {@code SEQ:HASH} as {@code audit verify} prints it after {@code head}.
     *
     * @throws IllegalArgumentException naming what is wrong and the form expected
     */
    public static AuditAnchor parse(String text) {
        var m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("an anchor is SEQ:HASH as 'audit verify' prints it after 'head' (a record "
                    + "number, a colon, 64 hex digits); got '" + shorten(text) + "'");
        }
        return new AuditAnchor(Long.parseLong(m.group(1)), m.group(2).toLowerCase(java.util.Locale.ROOT));
    }

    /** Whether {@code recordHash} is this anchor's hash (constant time). */
    public boolean matches(String recordHash) {
        return recordHash != null && MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                recordHash.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code SEQ:HASH}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return seq + ":" + hash;
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String s = text.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
