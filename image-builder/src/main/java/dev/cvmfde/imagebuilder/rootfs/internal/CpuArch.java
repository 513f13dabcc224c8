package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;

/**
 * The CPU architectures a guest can have, and how to tell a kernel image's from its header: a PE
 * image (x86 bzImage or arm64 Image with the EFI stub, or an EFI zboot image) by its COFF machine,
 * else an x86 boot protocol header ({@code HdrS} at 0x202) or the arm64 Image magic at 0x38. A
 * gzip'd kernel is looked at after decompression; only the header is ever decompressed.
 */
public enum CpuArch {
    X86_64("x86_64", "amd64", 0x8664, 62),
    AARCH64("aarch64", "arm64", 0xAA64, 183);

    /** How much of a kernel (after gzip) is read: every header looked at lies in the first 64 KiB. */
    static final int KERNEL_HEADER_BYTES = 64 << 10;

    private static final int GZIP_BUFFER = 8 << 10;
    private static final byte[] MZ = {'M', 'Z'};
    private static final byte[] PE = {'P', 'E', 0, 0};
    private static final byte[] HDRS = {'H', 'd', 'r', 'S'};
    private static final byte[] ARM64_MAGIC = {'A', 'R', 'M', 0x64};
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    private final String javaName;
    private final String debianName;
    private final int peMachine;
    private final int elfMachine;

    CpuArch(String javaName, String debianName, int peMachine, int elfMachine) {
        this.javaName = javaName;
        this.debianName = debianName;
        this.peMachine = peMachine;
        this.elfMachine = elfMachine;
    }

    /** The name a jlink {@code release} file and {@code uname -m} use ({@code x86_64}, {@code aarch64}). */
    @Override
    public String toString() {
        return javaName;
    }

    /** Debian's name ({@code amd64}, {@code arm64}), as {@code tools/guest-runtime/build.sh --arch} takes it. */
    public String debianName() {
        return debianName;
    }

    /**
     * The architecture of the kernel {@code file} ({@code shown}: its name in messages).
     *
     * @throws EncryptException (BOOT) when the header is none of the known kinds
     */
    public static CpuArch ofKernel(Path file, String shown) throws IOException, EncryptException {
        byte[] head;
        try (InputStream raw = Files.newInputStream(file)) {
            head = raw.readNBytes(KERNEL_HEADER_BYTES);
        }
        if (isGzip(head)) {
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)), GZIP_BUFFER)) {
                head = in.readNBytes(KERNEL_HEADER_BYTES);
            } catch (IOException e) { // ZipException, EOFException: corrupt or truncated
                throw new EncryptException(EncryptException.Step.BOOT, "cannot tell the architecture of kernel " + shown
                        + ": it starts with the gzip magic but does not decompress (" + e.getMessage() + ")", e);
            }
        }
        Optional<CpuArch> arch = ofKernelImage(head);
        if (arch.isEmpty()) {
            throw new EncryptException(EncryptException.Step.BOOT, "cannot tell the architecture of kernel " + shown
                    + ": " + unknownKernel(head) + "; known are PE/EFI images for machine 0x8664 (x86_64) or 0xaa64"
                    + " (aarch64), x86 bzImages (HdrS at 0x202) and arm64 Images (ARM\\x64 at 0x38), also gzip'd");
        }
        return arch.get();
    }

    /**
     * The architecture of a kernel image from its first bytes (decompressed): a PE image
     * ({@code MZ}, {@code PE\0\0} at the u32 at 0x3c) by its machine field, else {@code HdrS} at
     * 0x202 (x86), else {@code ARM\x64} at 0x38 (arm64); empty for anything else, and for a PE
     * image of another machine.
     */
    static Optional<CpuArch> ofKernelImage(byte[] head) {
        int pe = peHeader(head);
        if (pe >= 0) {
            int machine = u16le(head, pe + 4);
            for (CpuArch a : values()) {
                if (a.peMachine == machine) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
        if (at(head, 0x202, HDRS)) {
            return Optional.of(X86_64);
        }
        if (at(head, 0x38, ARM64_MAGIC)) {
            return Optional.of(AARCH64);
        }
        return Optional.empty();
    }

    /** The architecture an OS_ARCH value names: {@code x86_64}/{@code amd64}, {@code aarch64}/{@code arm64}. */
    static Optional<CpuArch> ofName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (CpuArch a : values()) {
            if (a.javaName.equals(n) || a.debianName.equals(n)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The e_machine of an ELF header (its first 20 bytes or more); empty when {@code head} is not ELF. */
    static OptionalInt elfMachine(byte[] head) {
        if (head.length < 20 || !at(head, 0, ELF) || (head[5] != 1 && head[5] != 2)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(head[5] == 1 ? u16le(head, 18) : (head[18] & 0xff) << 8 | (head[19] & 0xff));
    }

    /** The architecture of an ELF e_machine (62 x86_64, 183 aarch64). */
    static Optional<CpuArch> ofElfMachine(int machine) {
        for (CpuArch a : values()) {
            if (a.elfMachine == machine) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Offset of {@code PE\0\0} in an MZ image whose e_lfanew points inside {@code head}; else -1. */
    private static int peHeader(byte[] head) {
        if (head.length < 0x40 || !at(head, 0, MZ)) {
            return -1;
        }
        long lfanew = u16le(head, 0x3c) | ((long) u16le(head, 0x3e) << 16);
        if (lfanew + 6 > head.length) {
            return -1;
        }
        return at(head, (int) lfanew, PE) ? (int) lfanew : -1;
    }

    /** What the header that is none of the known kinds looks like, for the message. */
    private static String unknownKernel(byte[] head) {
        int pe = peHeader(head);
        if (pe >= 0) {
            return String.format("a PE image for machine 0x%04x", u16le(head, pe + 4));
        }
        if (head.length < 0x206) {
            return "only " + head.length + " bytes, shorter than any kernel header";
        }
        return "no kernel header; it starts with " + HexFormat.ofDelimiter(" ").formatHex(head, 0, 8);
    }

    private static boolean isGzip(byte[] head) {
        return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
    }

    private static boolean at(byte[] b, int offset, byte[] magic) {
        if (offset + magic.length > b.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u16le(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8;
    }
}
