package dev.cvmfde.imagebuilder.rootfs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel headers made here with the layouts of the kernel's boot protocols: x86
 * {@code Documentation/arch/x86/boot.rst} (HdrS at 0x202), arm64 {@code
 * Documentation/arch/arm64/booting.rst} (ARM\x64 at 0x38), the PE/COFF header of the EFI stub
 * and of EFI zboot ({@code drivers/firmware/efi/libstub/zboot-header.S}: "zimg" at 4).
 */
class CpuArchTest {
    @TempDir
    Path dir;

    /** An x86 bzImage without EFI stub: a boot sector, then the setup header. */
    static byte[] bzImage() {
        byte[] b = new byte[0x1000];
        b[0] = (byte) 0xea; // ljmp in the legacy boot sector
        b[0x1fe] = 0x55;
        b[0x1ff] = (byte) 0xaa;
        put(b, 0x202, "HdrS");
        return b;
    }

    /** A PE image for {@code machine} with its PE header at {@code lfanew}. */
    static byte[] pe(byte[] b, int lfanew, int machine) {
        put(b, 0, "MZ");
        b[0x3c] = (byte) lfanew;
        b[0x3d] = (byte) (lfanew >> 8);
        put(b, lfanew, "PE\0\0");
        b[lfanew + 4] = (byte) machine;
        b[lfanew + 5] = (byte) (machine >> 8);
        return b;
    }

    /** An arm64 Image without EFI stub: code0 a branch, the magic at 0x38. */
    static byte[] arm64Image() {
        byte[] b = new byte[0x1000];
        b[0] = 0x10;
        b[3] = 0x14; // b #0x40
        b[0x38] = 'A';
        b[0x39] = 'R';
        b[0x3a] = 'M';
        b[0x3b] = 0x64;
        return b;
    }

    @Test
    void ofKernelImage_bzImageHdrS_x86_64() {
        assertEquals(Optional.of(CpuArch.X86_64), CpuArch.ofKernelImage(bzImage()));
    }

    @Test
    void ofKernelImage_bzImageWithEfiStubPe8664_x86_64() {
        assertEquals(Optional.of(CpuArch.X86_64), CpuArch.ofKernelImage(pe(bzImage(), 0x80, 0x8664)));
    }

    @Test
    void ofKernelImage_arm64ImageWithEfiStubPeAa64_aarch64() {
        assertEquals(Optional.of(CpuArch.AARCH64), CpuArch.ofKernelImage(pe(arm64Image(), 0x40, 0xaa64)));
    }

    @Test
    void ofKernelImage_rawArm64ImageMagic_aarch64() {
        assertEquals(Optional.of(CpuArch.AARCH64), CpuArch.ofKernelImage(arm64Image()));
    }

    @Test
    void ofKernelImage_efiZbootPeAa64_aarch64() {
        byte[] b = pe(new byte[0x200], 0x40, 0xaa64);
        put(b, 4, "zimg");
        put(b, 0x18, "gzip");
        assertEquals(Optional.of(CpuArch.AARCH64), CpuArch.ofKernelImage(b));
    }

    @Test
    void ofKernelImage_efiZbootPe8664_x86_64() {
        byte[] b = pe(new byte[0x200], 0x40, 0x8664);
        put(b, 4, "zimg");
        assertEquals(Optional.of(CpuArch.X86_64), CpuArch.ofKernelImage(b));
    }

    @Test
    void ofKernelImage_peForAnotherMachine_emptyNotTheSetupHeader() {
        assertEquals(Optional.empty(), CpuArch.ofKernelImage(pe(bzImage(), 0x80, 0x014c)), "an i386 EFI stub");
    }

    @Test
    void ofKernelImage_mzWithoutPeHeader_fallsBackToTheArm64Magic() {
        byte[] b = arm64Image();
        put(b, 0, "MZ");
        b[0x3c] = 0x40; // PE\0\0 is not there
        assertEquals(Optional.of(CpuArch.AARCH64), CpuArch.ofKernelImage(b));
    }

    @Test
    void ofKernelImage_lfanewBeyondTheHeader_noOverflow() {
        byte[] b = new byte[0x200];
        put(b, 0, "MZ");
        Arrays.fill(b, 0x3c, 0x40, (byte) 0xff);
        assertEquals(Optional.empty(), CpuArch.ofKernelImage(b));
    }

    @Test
    void ofKernelImage_garbageOrEmpty_empty() {
        byte[] g = new byte[0x1000];
        new java.util.Random(7).nextBytes(g);
        g[0] = 0;
        assertEquals(Optional.empty(), CpuArch.ofKernelImage(g));
        assertEquals(Optional.empty(), CpuArch.ofKernelImage(new byte[0]));
    }

    @Test
    void ofKernel_gzippedArm64Image_aarch64() throws Exception {
        Path k = Files.write(dir.resolve("vmlinuz-6.12-arm64"), gzip(arm64Image()));
        assertEquals(CpuArch.AARCH64, CpuArch.ofKernel(k, "/vmlinuz-6.12-arm64"));
    }

    @Test
    void ofKernel_bzImageFile_x86_64() throws Exception {
        Path k = Files.write(dir.resolve("vmlinuz"), pe(bzImage(), 0x80, 0x8664));
        assertEquals(CpuArch.X86_64, CpuArch.ofKernel(k, "/vmlinuz"));
    }

    @Test
    void ofKernel_garbage_refusedAtBootNamingTheKernel() throws Exception {
        Path k = Files.writeString(dir.resolve("vmlinuz-x"), "this is not a kernel\n".repeat(100));
        EncryptException e = assertThrows(EncryptException.class, () -> CpuArch.ofKernel(k, "/vmlinuz-x"));
        assertEquals(EncryptException.Step.BOOT, e.step());
        assertTrue(e.getMessage().contains("cannot tell the architecture of kernel /vmlinuz-x"), e.getMessage());
    }

    @Test
    void ofKernel_peForAnotherMachine_refusedNamingTheMachine() throws Exception {
        Path k = Files.write(dir.resolve("vmlinuz-686"), pe(bzImage(), 0x80, 0x014c));
        EncryptException e = assertThrows(EncryptException.class, () -> CpuArch.ofKernel(k, "/vmlinuz-686"));
        assertEquals(EncryptException.Step.BOOT, e.step());
        assertTrue(e.getMessage().contains("machine 0x014c"), e.getMessage());
    }

    @Test
    void ofKernel_truncatedBeforeTheSetupHeader_refused() throws Exception {
        Path k = Files.write(dir.resolve("vmlinuz-cut"), Arrays.copyOf(bzImage(), 0x204));
        EncryptException e = assertThrows(EncryptException.class, () -> CpuArch.ofKernel(k, "/vmlinuz-cut"));
        assertEquals(EncryptException.Step.BOOT, e.step());
    }

    @Test
    void ofKernel_peHeaderCutOff_refused() throws Exception {
        Path k = Files.write(dir.resolve("vmlinuz-cut"), Arrays.copyOf(pe(new byte[0x100], 0x80, 0xaa64), 0x82));
        assertEquals(EncryptException.Step.BOOT,
                assertThrows(EncryptException.class, () -> CpuArch.ofKernel(k, "/vmlinuz-cut")).step());
    }

    @Test
    void ofKernel_gzipMagicThenJunk_refusedSayingItDoesNotDecompress() throws Exception {
        byte[] b = gzip(arm64Image());
        Path k = Files.write(dir.resolve("vmlinuz-bad"), Arrays.copyOf(b, 12));
        EncryptException e = assertThrows(EncryptException.class, () -> CpuArch.ofKernel(k, "/vmlinuz-bad"));
        assertEquals(EncryptException.Step.BOOT, e.step());
        assertTrue(e.getMessage().contains("does not decompress"), e.getMessage());
    }

    @Test
    void ofKernel_gzipBombOf2GiBZeros_refusedAfterReadingOnlyTheHeader() throws Exception {
        Path k = dir.resolve("vmlinuz-bomb");
        try (OutputStream out = Files.newOutputStream(k)) {
            writeZeroBomb(out);
        }
        EncryptException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(EncryptException.class, () -> CpuArch.ofKernel(k, "/vmlinuz-bomb")));
        assertTrue(e.getMessage().contains("no kernel header"), e.getMessage());
    }

    @Test
    void ofKernel_arm64HeaderThen2GiBZeros_aarch64WithoutDecompressingTheRest() throws Exception {
        Path k = dir.resolve("vmlinuz-big");
        try (OutputStream out = Files.newOutputStream(k)) {
            out.write(gzip(arm64Image()));
            writeZeroBomb(out);
        }
        assertEquals(CpuArch.AARCH64, assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> CpuArch.ofKernel(k, "/vmlinuz-big")));
    }

    @Test
    void ofName_releaseAndDebianNames_known() {
        assertEquals(Optional.of(CpuArch.X86_64), CpuArch.ofName("x86_64"));
        assertEquals(Optional.of(CpuArch.X86_64), CpuArch.ofName("amd64"));
        assertEquals(Optional.of(CpuArch.AARCH64), CpuArch.ofName("aarch64"));
        assertEquals(Optional.of(CpuArch.AARCH64), CpuArch.ofName("arm64"));
        assertEquals(Optional.empty(), CpuArch.ofName("riscv64"));
    }

    /** 2 GiB of zeros as 128 concatenated gzip members (GZIPInputStream reads them as one stream), 2 MiB on disk. */
    private static void writeZeroBomb(OutputStream out) throws IOException {
        ByteArrayOutputStream member = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(member)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 16; i++) {
                z.write(zeros);
            }
        }
        byte[] m = member.toByteArray();
        for (int i = 0; i < 128; i++) {
            out.write(m);
        }
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    private static void put(byte[] b, int offset, String ascii) {
        byte[] s = ascii.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(s, 0, b, offset, s.length);
    }
}
