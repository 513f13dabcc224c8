package dev.cvmfde.refvalues.hashjson;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.HashJsonException.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashJsonTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);
    private static final String D = "d".repeat(64);
    private static final String FLAT = "{\"grub\":\"" + A + "\",\"grub.cfg\":\"" + B + "\",\"kernel\":\"" + C
            + "\",\"initramfs\":\"" + D + "\",\"hash_alg\":\"sha-256\"}";
    private static final String MULTI = "{\"grub\":\"" + A + "\",\"grub.cfg\":\"" + B + "\",\"kernels\":["
            + "{\"version\":\"6.6.0-1\",\"kernel\":\"" + C + "\",\"initramfs\":\"" + D + "\",\"note\":[1,2]},"
            + "{\"version\":\"6.6.0-2\",\"kernel\":\"" + D + "\",\"initramfs\":\"" + C + "\"}],"
            + "\"hash_alg\":\"sha-256\",\"vendor\":{\"x\":true}}";

    private static Baseline parse(String s) throws HashJsonException {
        return HashJson.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parse_flatForm_readsAllFields() throws Exception {
        Baseline b = parse(FLAT);
        assertEquals(Baseline.Form.FLAT, b.form());
        assertEquals(DigestAlgorithm.SHA256, b.hashAlg());
        assertEquals(A, b.grub().hex());
        assertEquals(B, b.grubCfg().hex());
        assertEquals(C, b.kernels().getFirst().kernel().hex());
        assertEquals(D, b.kernels().getFirst().initramfs().hex());
        assertTrue(b.kernels().getFirst().version().isEmpty());
    }

    @Test
    void parse_multiKernelForm_readsEveryKernel() throws Exception {
        Baseline b = parse(MULTI);
        assertEquals(Baseline.Form.MULTI_KERNEL, b.form());
        assertEquals(2, b.kernels().size());
        assertEquals(D, b.kernel("6.6.0-2").orElseThrow().kernel().hex());
    }

    @Test
    void toBytes_unknownFields_survivesRoundTrip() throws Exception {
        Baseline b = parse(MULTI);
        byte[] written = HashJson.toBytes(b);
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree(MULTI), m.readTree(written));
        assertEquals(b, HashJson.parse(written));
    }

    @Test
    void toBytes_flatForm_roundTripsToSameTree() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree(FLAT), m.readTree(HashJson.toBytes(parse(FLAT))));
    }

    @Test
    void parse_sha512_acceptsLongDigests() throws Exception {
        String s = FLAT.replace(A, "1".repeat(128)).replace(B, "2".repeat(128)).replace(C, "3".repeat(128))
                .replace(D, "4".repeat(128)).replace("sha-256", "sha-512");
        assertEquals(DigestAlgorithm.SHA512, parse(s).hashAlg());
    }

    private static void assertRefused(String json, String field, Problem problem) {
        HashJsonException e = assertThrows(HashJsonException.class, () -> parse(json));
        assertEquals(field, e.field());
        assertEquals(problem, e.problem());
    }

    @Test
    void parse_malformedInputs_nameFieldAndProblem() {
        assertRefused(FLAT.replace(C, C.toUpperCase()), "kernel", Problem.BAD_HEX);
        assertRefused(FLAT.replace(D, D.substring(1)), "initramfs", Problem.WRONG_LENGTH);
        assertRefused(FLAT.replace("sha-256", "md5"), "hash_alg", Problem.UNSUPPORTED_ALGORITHM);
        assertRefused(FLAT.replace("\"grub.cfg\"", "\"grub_cfg\""), "grub.cfg", Problem.MISSING);
        assertRefused(FLAT.replace("\"" + A + "\"", "42"), "grub", Problem.WRONG_TYPE);
        assertRefused(FLAT.substring(1), "(document)", Problem.MALFORMED_JSON);
        assertRefused("[1]", "(document)", Problem.WRONG_TYPE);
        assertRefused(MULTI.replace("6.6.0-2", "6.6.0-1"), "kernels[1].version", Problem.DUPLICATE_VERSION);
        assertRefused(MULTI.replace("\"kernel\":\"" + D, "\"kernel\":\"" + D.substring(2)), "kernels[1].kernel",
                Problem.WRONG_LENGTH);
        assertRefused(MULTI.replace("\"hash_alg\"", "\"kernel\":\"" + C + "\",\"hash_alg\""), "kernels",
                Problem.AMBIGUOUS_FORM);
        assertRefused(FLAT.replace("{", "{\"grub\":\"" + A + "\","), "(document)", Problem.MALFORMED_JSON);
        assertRefused(FLAT.replace("sha-256", "sha-512"), "grub", Problem.WRONG_LENGTH);
    }

    @Test
    void parse_oversizedDocument_refusedAsTooLarge() {
        String big = FLAT.replace("}", ",\"pad\":\"" + "x".repeat(HashJson.MAX_HASH_JSON_BYTES) + "\"}");
        assertRefused(big, "(document)", Problem.TOO_LARGE);
    }

    @Test
    void write_existingTarget_replacedAtomicallyWithoutTempFiles(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("hash.json");
        Files.writeString(target, "old");
        Baseline b = parse(MULTI);
        HashJson.write(b, target);
        assertEquals(b, HashJson.read(target));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void multiKernel_programmaticBaseline_writesVersions() throws Exception {
        Digest a = Digest.ofHex(DigestAlgorithm.SHA256, A);
        Baseline b = Baseline.multiKernel(a, a, List.of(new KernelEntry("v1", a, a)));
        assertArrayEquals(HashJson.toBytes(b), HashJson.toBytes(HashJson.parse(HashJson.toBytes(b))));
        assertTrue(new String(HashJson.toBytes(b), StandardCharsets.UTF_8).contains("\"version\" : \"v1\""));
    }
}
