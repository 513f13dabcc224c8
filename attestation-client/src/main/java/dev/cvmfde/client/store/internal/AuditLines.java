package dev.cvmfde.client.store.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cvmfde.client.store.AuditAnchor;
import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.AuditRecord;
import dev.cvmfde.client.store.AuditTrail;
import dev.cvmfde.client.store.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One audit record as one line of canonical JSON, the same in the directory store (a line of
 * {@code audit.jsonl}) and in PostgreSQL (a row's {@code line}): members in a fixed order,
 * {@code hash} last, = SHA-256 over the UTF-8 bytes of the same JSON without {@code hash}. A
 * parsed line must have exactly these members and re-encode to the same bytes, so any change to a
 * record, even of white space, is an edit.
 */
public final class AuditLines {
    /** Longest line accepted: a record is well under 20 KiB with every field at its limit. */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private static final Set<String> MEMBERS = Set.of("seq", "time", "peer", "image", "verdict", "failedChecks",
            "evidenceSha256", "prev", "hash");
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private AuditLines() {
    }

    /** The record that follows {@code previous} (null: the first) for {@code event}. */
    public static AuditRecord next(AuditRecord previous, AuditEvent event) {
        long seq = previous == null ? 1 : previous.seq() + 1;
        String prev = previous == null ? AuditTrail.GENESIS_HASH : previous.hash();
        return new AuditRecord(seq, event, prev, sha256Hex(encode(seq, event, prev, null)));
    }

    /** The record's line, without the newline. */
    public static String line(AuditRecord record) {
        return new String(encode(record.seq(), record.event(), record.previousHash(), record.hash()),
                StandardCharsets.UTF_8);
    }

    /**
     * Parses one line and checks that it is canonical and that its {@code hash} is right (not
     * its place in the chain: see {@link Chain}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AuditRecord parse(String line) {
        if (line.length() > MAX_LINE_BYTES) {
            throw new IllegalArgumentException("line is longer than MAX_LINE_BYTES=" + MAX_LINE_BYTES);
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON record (" + e.getClass().getSimpleName() + ")");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!MEMBERS.contains(f)) {
                throw new IllegalArgumentException("unexpected member '" + f + "'");
            }
        }
        AuditRecord record;
        try {
            List<String> failed = new ArrayList<>();
            for (JsonNode c : require(n, "failedChecks")) {
                failed.add(c.textValue());
            }
            Verdict verdict = switch (text(n, "verdict")) {
                case "released" -> Verdict.RELEASED;
                case "refused" -> Verdict.REFUSED;
                default -> throw new IllegalArgumentException("verdict is neither released nor refused");
            };
            AuditEvent event = new AuditEvent(Instant.parse(text(n, "time")), text(n, "peer"), text(n, "image"), verdict,
                    failed, text(n, "evidenceSha256"));
            JsonNode seq = require(n, "seq");
            if (!seq.canConvertToExactIntegral() || !seq.canConvertToLong()) {
                throw new IllegalArgumentException("seq is not an integer");
            }
            record = new AuditRecord(seq.longValue(), event, text(n, "prev"), text(n, "hash"));
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException("a member has the wrong type or form (" + e.getClass().getSimpleName() + ")");
        }
        if (!line(record).equals(line)) {
            throw new IllegalArgumentException("record is not in canonical form (edited)");
        }
        String expected = sha256Hex(encode(record.seq(), record.event(), record.previousHash(), null));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                record.hash().getBytes(StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException("hash does not match the record's content (edited): expected "
                    + expected + ", recorded " + record.hash());
        }
        return record;
    }

    private static JsonNode require(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null) {
            throw new IllegalArgumentException("member '" + name + "' is missing");
        }
        return v;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = require(n, name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("member '" + name + "' is not a string");
        }
        return v.textValue();
    }

    private static byte[] encode(long seq, AuditEvent e, String prev, String hash) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("seq", seq);
            g.writeStringField("time", e.time().toString());
            g.writeStringField("peer", e.peer());
            g.writeStringField("image", e.imageId());
            g.writeStringField("verdict", e.verdict().word());
            g.writeArrayFieldStart("failedChecks");
            for (String c : e.failedChecks()) {
                g.writeString(c);
            }
            g.writeEndArray();
            g.writeStringField("evidenceSha256", e.evidenceSha256());
            g.writeStringField("prev", prev);
            if (hash != null) {
                g.writeStringField("hash", hash);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** SHA-256 of {@code bytes}, lower-case hex (record hashes, evidence and baseline digests). */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Walks a trail line by line: each line must parse ({@link #parse}), have the next
     * {@code seq} and carry the hash of the record before it, and the anchored record must have
     * the anchored hash. The first line that does not is the trail's first broken record; an
     * anchored record the trail never reached is {@link #anchorMissing()}.
     */
    public static final class Chain {
        private final AuditAnchor anchor;
        private boolean anchorHeld;
        private AuditRecord last;
        private long lines;
        private String broken;

        /** A walk with no anchor (every trail satisfies {@link AuditAnchor#GENESIS}). */
        public Chain() {
            this(AuditAnchor.GENESIS);
        }

        public Chain(AuditAnchor anchor) {
            this.anchor = java.util.Objects.requireNonNull(anchor, "anchor");
            this.anchorHeld = anchor.seq() == 0;
        }

        /** Feeds the next line; false (and {@link #broken()}) at the first that does not chain. */
        public boolean accept(String line) {
            if (broken != null) {
                return false;
            }
            lines++;
            AuditRecord r;
            try {
                r = parse(line);
            } catch (IllegalArgumentException e) {
                broken = e.getMessage();
                return false;
            }
            long expectedSeq = last == null ? 1 : last.seq() + 1;
            String expectedPrev = last == null ? AuditTrail.GENESIS_HASH : last.hash();
            if (r.seq() != expectedSeq) {
                broken = "seq is " + r.seq() + ", expected " + expectedSeq + " (a record before it was deleted, "
                        + "or records were reordered or inserted)";
                return false;
            }
            if (!r.previousHash().equals(expectedPrev)) {
                broken = "prev is " + r.previousHash() + ", expected the previous record's hash " + expectedPrev
                        + " (the record before it was replaced, or records were reordered)";
                return false;
            }
            if (r.seq() == anchor.seq()) {
                if (!anchor.matches(r.hash())) {
                    broken = "anchor " + anchor + ": record " + r.seq() + " now has hash " + r.hash() + " (it and the "
                            + "records after it were rewritten and re-chained since the anchor was taken)";
                    return false;
                }
                anchorHeld = true;
            }
            last = r;
            return true;
        }

        /**
         * After the last line: why the anchor does not hold because its record is not there (the
         * tail was cut off after the anchor was taken), or null.
         */
        public String anchorMissing() {
            if (anchorHeld || broken != null) {
                return null;
            }
            return "anchor " + anchor + ": record " + anchor.seq() + " is missing; the trail ends at record "
                    + verified() + " (records after it were cut off since the anchor was taken)";
        }

        /** Lines fed so far (the broken one included). */
        public long lines() {
            return lines;
        }

        /** Records that chained. */
        public long verified() {
            return last == null ? 0 : last.seq();
        }

        /** The last record that chained, or null. */
        public AuditRecord last() {
            return last;
        }

        /** The head hash: the last chained record's hash, or {@link AuditTrail#GENESIS_HASH}. */
        public String headHash() {
            return last == null ? AuditTrail.GENESIS_HASH : last.hash();
        }

        /** Why the chain broke, or null. */
        public String broken() {
            return broken;
        }
    }
}
