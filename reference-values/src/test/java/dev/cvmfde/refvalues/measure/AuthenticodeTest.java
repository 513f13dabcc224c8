package dev.cvmfde.refvalues.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticodeTest {
    private static final Path SYSTEMD_BOOT = Tools.vector("measure", "systemd-bootx64.efi");
    private static final Path PE32 = Tools.vector("measure", "pe32-minimal.efi");

    /** pesign's Authenticode hash, with {@code -P}: an unsigned image padded to 8 bytes as signing does. */
    static String pesignHash(Path file) throws Exception {
        return pesignHash(file, true);
    }

    /** Without padding ({@code -P} off) pesign hashes the file bytes as they are, as firmware does. */
    static String pesignHash(Path file, boolean padded) throws Exception {
        List<String> cmd = padded ? List.of("pesign", "-h", "-P", "-i", file.toString())
                : List.of("pesign", "-h", "-i", file.toString());
        String out = Tools.run(cmd);
        Matcher m = Pattern.compile("hash: ([0-9a-f]{64})").matcher(out);
        assertTrue(m.find(), () -> "pesign printed no hash: " + out);
        return m.group(1);
    }

    /** Signs with a throw-away test key and returns osslsigncode's calculated Authenticode digest. */
    static String osslsigncodeHash(Path file, Path dir, String alg) throws Exception {
        Path key = dir.resolve("test-signing-key.pem");
        Path cert = dir.resolve("test-signing-cert.pem");
        if (!Files.exists(key)) {
            Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                    "-out", cert.toString(), "-subj", "/CN=cvm-fde test key", "-days", "2"));
        }
        Path signed = dir.resolve(file.getFileName() + "." + alg + ".signed");
        Tools.run(List.of("osslsigncode", "sign", "-certs", cert.toString(), "-key", key.toString(), "-h", alg,
                "-in", file.toString(), "-out", signed.toString()));
        String out = Tools.run(List.of("osslsigncode", "verify", "-CAfile", cert.toString(), "-in", signed.toString()));
        Matcher m = Pattern.compile("Calculated message digest\\s*:\\s*([0-9A-F]+)").matcher(out);
        assertTrue(m.find(), () -> "osslsigncode printed no digest: " + out);
        return m.group(1).toLowerCase(Locale.ROOT);
    }

    static Path sign(Path file, Path dir) throws Exception {
        osslsigncodeHash(file, dir, "sha256");
        return dir.resolve(file.getFileName() + ".sha256.signed");
    }

    static Path aligned(Path file, Path dir) throws Exception {
        return dev.cvmfde.refvalues.testing.Fixtures.aligned(file, dir);
    }

    @Test
    void authenticode_realPe32PlusFromDebian_equalsPesign(@TempDir Path dir) throws Exception {
        Path aligned = aligned(SYSTEMD_BOOT, dir);
        assertEquals(pesignHash(aligned), Measurements.authenticode(aligned, DigestAlgorithm.SHA256).hex());
    }

    /**
     * Signing tools hash an unsigned image as if zero-padded to 8 bytes (where a signature would
     * go: pesign {@code -P}, osslsigncode); firmware (EDK2) hashes the file as loaded, which is
     * pesign without {@code -P}. We follow firmware: for an unsigned image whose size is not a
     * multiple of 8 (this Debian binary: 140891 bytes) our hash equals pesign's unpadded one, and
     * the padded one equals ours of the image padded by hand.
     */
    @Test
    void authenticode_unalignedUnsignedImage_equalsPesignUnpadded(@TempDir Path dir) throws Exception {
        assertTrue(Files.size(SYSTEMD_BOOT) % 8 != 0);
        String ours = Measurements.authenticode(SYSTEMD_BOOT, DigestAlgorithm.SHA256).hex();
        assertEquals(pesignHash(SYSTEMD_BOOT, false), ours);
        Path aligned = aligned(SYSTEMD_BOOT, dir);
        assertEquals(pesignHash(SYSTEMD_BOOT, true), Measurements.authenticode(aligned, DigestAlgorithm.SHA256).hex());
        assertEquals(osslsigncodeHash(SYSTEMD_BOOT, dir, "sha256"), pesignHash(SYSTEMD_BOOT, true));
    }

    @Test
    void authenticode_signedImage_skipsCertificateTableAndChecksum(@TempDir Path dir) throws Exception {
        Path signed = sign(SYSTEMD_BOOT, dir);
        assertTrue(Files.size(signed) > Files.size(SYSTEMD_BOOT));
        String ours = Measurements.authenticode(signed, DigestAlgorithm.SHA256).hex();
        assertEquals(Measurements.authenticode(aligned(SYSTEMD_BOOT, dir), DigestAlgorithm.SHA256).hex(), ours);
        assertEquals(pesignHash(signed), ours);
    }

    @Test
    void authenticode_sha512_equalsOsslsigncode(@TempDir Path dir) throws Exception {
        Path aligned = aligned(SYSTEMD_BOOT, dir);
        assertEquals(osslsigncodeHash(aligned, dir, "sha512"), Measurements.authenticode(aligned, DigestAlgorithm.SHA512).hex());
    }

    @Test
    void authenticode_pe32Image_equalsOsslsigncode(@TempDir Path dir) throws Exception {
        assertEquals(osslsigncodeHash(PE32, dir, "sha256"), Measurements.authenticode(PE32, DigestAlgorithm.SHA256).hex());
    }

    private static MeasureException.Kind refusal(byte[] image) {
        return assertThrows(MeasureException.class,
                () -> Measurements.authenticode(image, DigestAlgorithm.SHA256)).kind();
    }

    @Test
    void authenticode_malformedImages_refusedAsPeMalformed() throws Exception {
        byte[] good = Files.readAllBytes(SYSTEMD_BOOT);
        ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        int pe = b.getInt(0x3C);
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(new byte[0]));
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(java.util.Arrays.copyOf(good, 200)));
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(java.util.Arrays.copyOf(good, good.length / 2)));
        byte[] badLfanew = good.clone();
        ByteBuffer.wrap(badLfanew).order(ByteOrder.LITTLE_ENDIAN).putInt(0x3C, Integer.MAX_VALUE);
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(badLfanew));
        byte[] badMagic = good.clone();
        ByteBuffer.wrap(badMagic).order(ByteOrder.LITTLE_ENDIAN).putShort(pe + 24, (short) 0x107);
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(badMagic));
        byte[] hugeSection = good.clone();
        int optSize = Short.toUnsignedInt(b.getShort(pe + 20));
        ByteBuffer.wrap(hugeSection).order(ByteOrder.LITTLE_ENDIAN).putInt(pe + 24 + optSize + 16, 0x7FFFFFF0);
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(hugeSection));
        byte[] manySections = good.clone();
        ByteBuffer.wrap(manySections).order(ByteOrder.LITTLE_ENDIAN).putShort(pe + 6, (short) 0xFFFF);
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(manySections));
        byte[] badCert = good.clone();
        ByteBuffer.wrap(badCert).order(ByteOrder.LITTLE_ENDIAN).putInt(pe + 24 + 112 + 32, 0x10).putInt(pe + 24 + 116 + 32, 0x7FFFFFFF);
        assertEquals(MeasureException.Kind.PE_MALFORMED, refusal(badCert));
    }
}
