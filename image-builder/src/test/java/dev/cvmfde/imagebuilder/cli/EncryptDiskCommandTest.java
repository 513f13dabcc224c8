package dev.cvmfde.imagebuilder.cli;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.dek.RootKey;
import dev.cvmfde.imagebuilder.dek.WrappedDek;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code encrypt-disk}, {@code dek} and {@code root-key}: IBM's whole-disk flow, checked with cryptsetup. */
class EncryptDiskCommandTest {
    static final long MIB = 1 << 20;
    /** Not a whole MiB, so the MiB rounding is visible. */
    static final long DISK_BYTES = 24 * MIB + 512 * 7;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"raw", "qcow2", "vpc-fixed", "vpc-dynamic"})
    void encryptDisk_eachInputFormat_sizeRuleCryptsetupAcceptsDecryptsToInput(String format) throws Exception {
        Path raw = Tools.sparseRaw(dir, "disk.raw", DISK_BYTES, 7);
        Path input = switch (format) {
            case "raw" -> raw;
            case "qcow2" -> convert(raw, "qcow2", "disk.qcow2");
            case "vpc-fixed" -> convert(raw, "vpc", "disk-fixed.vhd", "-o", "subformat=fixed,force_size=on");
            default -> convert(raw, "vpc", "disk-dynamic.vhd", "-o", "subformat=dynamic,force_size=on");
        };
        // the source itself, not qemu-img's raw of the VHD: qemu 7.2 reports a fixed VHD whose size is not
        // a whole 4 KiB as footer-inclusive (its virtual size then holds the "conectix" footer)
        Path plain = raw;
        String inputSha = Tools.sha256(input);
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString());
        Path out = dir.resolve("disk.encrypted.raw");

        CliRun.ok("encrypt-disk", "--input", input.toString(), "--dek", dek.toString(), "--output", out.toString(), "--quiet");

        long expected = Math.ceilDiv(Files.size(plain) + 4 * MIB, MIB) * MIB;
        assertEquals(expected, Files.size(out), "input + 4 MiB header, rounded up to whole MiB");
        String dump = ok("cryptsetup", "luksDump", out.toString());
        assertTrue(dump.contains("offset: 4194304 [bytes]") && dump.contains("aes-xts-plain64"), dump);
        assertEquals(0, Tools.run("cryptsetup", "open", "--test-passphrase", "--key-file", dek.toString(),
                out.toString()).exit());
        CliRun.assertDecryptsTo(out, 4 * MIB, CliRun.dumpVolumeKey(out, dek), plain, 0, Files.size(plain));
        assertEquals(inputSha, Tools.sha256(input), "input modified");
    }

    @Test
    void encryptDisk_luks1_cryptsetupReadsLuks1() throws Exception {
        Path raw = Tools.sparseRaw(dir, "disk.raw", DISK_BYTES, 8);
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString());
        Path out = dir.resolve("disk.encrypted.raw");
        CliRun.ok("encrypt-disk", "--input", raw.toString(), "--dek", dek.toString(), "--output", out.toString(),
                "--luks1", "--quiet");
        assertTrue(ok("cryptsetup", "luksDump", out.toString()).matches("(?s).*Version:\\s+1\\b.*"));
        CliRun.assertDecryptsTo(out, 4 * MIB, CliRun.dumpVolumeKey(out, dek), raw, 0, DISK_BYTES);
    }

    @Test
    void dek_wrapWithRootKey_wdekUnwrapsToDekAndFilesAreOwnerOnly() throws Exception {
        Path rootKey = dir.resolve("root.key");
        CliRun.ok("root-key", "--output", rootKey.toString());
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString(), "--wrap-with", rootKey.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dek)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rootKey)));
        String dekText = Files.readString(dek, StandardCharsets.US_ASCII);
        assertTrue(dekText.matches("[A-Za-z0-9+/]{43}="), "44 base64 characters, no newline");
        try (RootKey root = RootKey.read(rootKey);
             SecretBytes unwrapped = WrappedDek.read(dir.resolve("secret.dek.wdek")).unwrap(root)) {
            assertArrayEquals(Files.readAllBytes(dek), unwrapped.copy());
        }
        // an independent RFC 5649 unwrap with the JDK, from the raw root key bytes
        WrappedDek w = WrappedDek.read(dir.resolve("secret.dek.wdek"));
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AESWrapPad");
        c.init(javax.crypto.Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(Files.readAllBytes(rootKey), "AES"));
        assertArrayEquals(Files.readAllBytes(dek), c.doFinal(w.wrapped()));
    }

    @Test
    void dek_wrongRootKey_unwrapRefused() throws Exception {
        Path a = dir.resolve("a.key");
        Path b = dir.resolve("b.key");
        CliRun.ok("root-key", "--output", a.toString());
        CliRun.ok("root-key", "--output", b.toString());
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString(), "--wrap-with", a.toString());
        try (RootKey other = RootKey.read(b)) {
            org.junit.jupiter.api.Assertions.assertThrows(dev.cvmfde.protocol.secret.KeyFileException.class,
                    () -> WrappedDek.read(dir.resolve("secret.dek.wdek")).unwrap(other));
        }
    }

    @Test
    void dek_wrapWithGroupReadableRootKey_refusedNamingModeAndNothingWritten() throws Exception {
        Path rootKey = dir.resolve("root.key");
        CliRun.ok("root-key", "--output", rootKey.toString());
        Files.setPosixFilePermissions(rootKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Path dek = dir.resolve("secret.dek");
        CliRun.Result r = CliRun.run("dek", "--output", dek.toString(), "--wrap-with", rootKey.toString());
        CliRun.assertExit(1, r);
        assertTrue(r.err().contains(rootKey + " has mode 0640") && r.err().contains("chmod 600"), r.err());
        assertFalse(Files.exists(dek));
    }

    @Test
    void dek_existingFile_refusedAndKept() throws Exception {
        Path dek = Files.writeString(dir.resolve("secret.dek"), "keep me");
        CliRun.Result r = CliRun.run("dek", "--output", dek.toString());
        CliRun.assertExit(1, r);
        assertEquals("keep me", Files.readString(dek));
    }

    @Test
    void encryptDisk_wrapWith_writesOutputWdek() throws Exception {
        Path raw = Tools.sparseRaw(dir, "disk.raw", 4 * MIB, 9);
        Path rootKey = dir.resolve("root.key");
        CliRun.ok("root-key", "--output", rootKey.toString());
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString());
        Path out = dir.resolve("disk.encrypted.raw");
        CliRun.ok("encrypt-disk", "--input", raw.toString(), "--dek", dek.toString(), "--output", out.toString(),
                "--wrap-with", rootKey.toString(), "--quiet");
        try (RootKey root = RootKey.read(rootKey);
             SecretBytes unwrapped = WrappedDek.read(dir.resolve("disk.encrypted.raw.wdek")).unwrap(root)) {
            assertArrayEquals(Files.readAllBytes(dek), unwrapped.copy());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"newline-in-middle", "too-short", "not-base64"})
    void encryptDisk_badDek_clearErrorNoOutputInputUnchanged(String kind) throws Exception {
        Path raw = Tools.sparseRaw(dir, "disk.raw", 4 * MIB, 10);
        String sha = Tools.sha256(raw);
        String good = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";
        String text = switch (kind) {
            case "newline-in-middle" -> good.substring(0, 20) + "\n" + good.substring(20);
            case "too-short" -> "QUJDREVGR0hJSktMTU5PUA==";
            default -> good.substring(0, 40) + "*!#$";
        };
        Path dek = Files.writeString(dir.resolve("bad.dek"), text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(dek, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")); // owner-only: the content is what gets refused
        Path outDir = Files.createDirectories(dir.resolve("out"));
        CliRun.Result r = CliRun.run("encrypt-disk", "--input", raw.toString(), "--dek", dek.toString(), "--output",
                outDir.resolve("x.raw").toString(), "--quiet");
        CliRun.assertExit(1, r);
        assertTrue(r.err().contains("key: DEK file"), r.err());
        assertTrue(r.err().contains(switch (kind) {
            case "newline-in-middle" -> "line break at character 21";
            case "too-short" -> "24 base64 characters; 32 to 512";
            default -> "not base64";
        }), r.err());
        assertEquals(List.of(), CliRun.listing(outDir));
        assertEquals(sha, Tools.sha256(raw));
    }

    @Test
    void encryptDisk_outputReadOnly_clearErrorNothingLeft() throws Exception {
        Path raw = Tools.sparseRaw(dir, "disk.raw", 4 * MIB, 11);
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString());
        Path ro = Files.createDirectories(dir.resolve("ro"));
        CliRun.mountTmpfs(ro, "8m", true);
        try {
            CliRun.Result r = CliRun.run("encrypt-disk", "--input", raw.toString(), "--dek", dek.toString(),
                    "--output", ro.resolve("x.raw").toString(), "--quiet");
            CliRun.assertExit(1, r);
            assertTrue(r.err().contains("ro") && (r.err().contains("Read-only") || r.err().contains("not writable")),
                    r.err());
            assertEquals(List.of(), CliRun.listing(ro));
        } finally {
            CliRun.umount(ro);
        }
    }

    @Test
    void encryptDisk_diskFull_clearErrorNothingLeft() throws Exception {
        Path raw = Tools.sparseRaw(dir, "disk.raw", 24 * MIB, 12);
        String sha = Tools.sha256(raw);
        Path dek = dir.resolve("secret.dek");
        CliRun.ok("dek", "--output", dek.toString());
        Path small = Files.createDirectories(dir.resolve("small"));
        CliRun.mountTmpfs(small, "8m", false);
        try {
            CliRun.Result r = CliRun.run("encrypt-disk", "--input", raw.toString(), "--dek", dek.toString(),
                    "--output", small.resolve("x.raw").toString(), "--quiet");
            CliRun.assertExit(1, r);
            assertTrue(r.err().contains("No space left on device"), r.err());
            assertEquals(List.of(), CliRun.listing(small));
            assertEquals(sha, Tools.sha256(raw));
        } finally {
            CliRun.umount(small);
        }
    }

    @Test
    void encryptDisk_missingOption_usageExit2() {
        CliRun.Result r = CliRun.run("encrypt-disk", "--input", "x.raw");
        CliRun.assertExit(2, r);
        assertNotEquals("", r.err());
    }

    private Path convert(Path raw, String fmt, String name, String... opts) throws Exception {
        Path out = dir.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img", "convert", "-O", fmt));
        cmd.addAll(List.of(opts));
        cmd.addAll(List.of(raw.toString(), out.toString()));
        ok(cmd.toArray(String[]::new));
        return out;
    }
}
