package dev.cvmfde.imagebuilder.luks.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.luks.ReferenceXts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AesXtsTest {

    record Vector(String name, byte[] key, long unit, byte[] plain, byte[] cipher) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Vector> ieee1619() throws IOException {
        try (InputStream in = AesXtsTest.class.getResourceAsStream("/vectors/xts/ieee1619.txt")) {
            HexFormat hex = HexFormat.of();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.trim().split("\\s+"))
                    .map(f -> new Vector(f[0], hex.parseHex(f[1]), Long.parseLong(f[2]), hex.parseHex(f[3]), hex.parseHex(f[4])))
                    .toList();
        }
    }

    @ParameterizedTest
    @MethodSource("ieee1619")
    void process_ieee1619Vector_givesExpectedCiphertext(Vector v) {
        byte[] out = new byte[v.plain().length];
        try (AesXts xts = new AesXts(v.key(), v.plain().length, true)) {
            xts.process(v.plain(), 0, out, 0, out.length, v.unit(), 1);
        }
        assertArrayEquals(v.cipher(), out);
        byte[] back = v.cipher().clone();
        try (AesXts xts = new AesXts(v.key(), v.plain().length, false)) {
            xts.process(back, 0, back, 0, back.length, v.unit(), 1);
        }
        assertArrayEquals(v.plain(), back);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void process_randomMultiSector_matchesIndependentXts(int sectorSize) {
        Random random = new Random(sectorSize);
        byte[] key = new byte[64];
        random.nextBytes(key);
        int sectors = 67;
        byte[] plain = new byte[sectors * sectorSize + 32];
        random.nextBytes(plain);
        long firstIv = 0x1_0000_0000L - 3 * (sectorSize / 512);
        byte[] ours = new byte[plain.length];
        try (AesXts xts = new AesXts(key, sectorSize, true)) {
            xts.process(plain, 32, ours, 32, sectors * sectorSize, firstIv, sectorSize / 512);
        }
        byte[] reference = plain.clone();
        for (int s = 0; s < sectors; s++) {
            ReferenceXts.unit(key, true, reference, 32 + s * sectorSize, sectorSize, firstIv + (long) s * (sectorSize / 512));
        }
        assertArrayEquals(Arrays.copyOfRange(reference, 32, reference.length), Arrays.copyOfRange(ours, 32, ours.length));
        assertFalse(Arrays.equals(plain, 32, plain.length, ours, 32, ours.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void process_randomMultiSector_matchesJdkOnlyXtsBothWays(int sectorSize) throws Exception {
        Random random = new Random(31L * sectorSize);
        byte[] key = new byte[64];
        random.nextBytes(key);
        int sectors = 160 * 1024 / sectorSize; // crosses the 64 KiB batch boundary twice
        byte[] plain = new byte[sectors * sectorSize];
        random.nextBytes(plain);
        long firstIv = 1_000_000L * (sectorSize / 512);
        byte[] reference = plain.clone();
        for (int s = 0; s < sectors; s++) {
            ReferenceXts.unitJdkOnly(key, true, reference, s * sectorSize, sectorSize, firstIv + (long) s * (sectorSize / 512));
        }
        byte[] ours = plain.clone();
        try (AesXts xts = new AesXts(key, sectorSize, true)) {
            xts.process(ours, 0, ours, 0, ours.length, firstIv, sectorSize / 512);
        }
        assertArrayEquals(reference, ours);
        try (AesXts xts = new AesXts(key, sectorSize, false)) {
            xts.process(ours, 0, ours, 0, ours.length, firstIv, sectorSize / 512);
        }
        assertArrayEquals(plain, ours);
    }

    @Test
    void process_batchesOfDifferentSizes_giveSameResultAsOneCall() {
        Random random = new Random(7);
        byte[] key = new byte[64];
        random.nextBytes(key);
        byte[] plain = new byte[512 * 40];
        random.nextBytes(plain);
        byte[] whole = plain.clone();
        byte[] pieces = plain.clone();
        try (AesXts xts = new AesXts(key, 512, true)) {
            xts.process(whole, 0, whole, 0, whole.length, 100, 1);
            xts.process(pieces, 0, pieces, 0, 512 * 3, 100, 1);
            xts.process(pieces, 512 * 3, pieces, 512 * 3, 512 * 37, 103, 1);
        }
        assertArrayEquals(whole, pieces);
    }

    @Test
    void run_parallelWorkersWithZeroPadding_matchesSingleCipherAtPosition(@TempDir Path dir) throws Exception {
        Random random = new Random(9);
        byte[] key = new byte[64];
        random.nextBytes(key);
        int inputBytes = 5 * XtsStreamer.CHUNK_BYTES + 3 * 4096;
        int totalBytes = inputBytes + 7 * 4096;
        byte[] plain = new byte[totalBytes];
        random.nextBytes(plain);
        Arrays.fill(plain, inputBytes, totalBytes, (byte) 0);
        Path out = dir.resolve("out");
        int position = 12345;
        try (XtsStreamer streamer = new XtsStreamer(key, 4096, true);
             FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            streamer.run(Channels.newChannel(new ByteArrayInputStream(plain, 0, inputBytes)), inputBytes, totalBytes,
                    ch, position, null);
        }
        byte[] expected = plain.clone();
        try (AesXts xts = new AesXts(key, 4096, true)) {
            xts.process(expected, 0, expected, 0, expected.length, 0, 8);
        }
        byte[] written = Files.readAllBytes(out);
        assertEquals(position + totalBytes, written.length);
        assertArrayEquals(expected, Arrays.copyOfRange(written, position, written.length));
    }

    @Test
    void run_inputShorterThanDeclared_inputStepError(@TempDir Path dir) throws Exception {
        try (XtsStreamer streamer = new XtsStreamer(new byte[64], 512, true);
             FileChannel ch = FileChannel.open(dir.resolve("o"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            LuksException e = assertThrows(LuksException.class, () -> streamer.run(
                    Channels.newChannel(new ByteArrayInputStream(new byte[1000])), 3 * 1024 * 1024, 3 * 1024 * 1024, ch, 0, null));
            assertEquals(LuksException.Step.INPUT, e.step());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 48, 65})
    void constructor_wrongKeySize_refused(int keyBytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AesXts(new byte[keyBytes], 512, true));
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void process_lengthNotWholeUnits_refused() {
        try (AesXts xts = new AesXts(new byte[64], 512, true)) {
            assertThrows(IllegalArgumentException.class, () -> xts.process(new byte[1000], 0, new byte[1000], 0, 1000, 0, 1));
        }
    }

    @Test
    void toString_keyBytes_neverShown() {
        byte[] key = new byte[64];
        Arrays.fill(key, (byte) 0xab);
        try (AesXts xts = new AesXts(key, 512, true)) {
            assertFalse(xts.toString().toLowerCase().contains("abab"));
            assertEquals(512, xts.unitSize());
        }
    }
}
