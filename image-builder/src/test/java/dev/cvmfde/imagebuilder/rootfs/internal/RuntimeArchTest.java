package dev.cvmfde.imagebuilder.rootfs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's architecture from its jlink release file and bin/java (the kernel check: {@link RuntimeChoiceTest}). */
class RuntimeArchTest {
    /** What jlink writes from a JDK with jmods (a JDK without, as Temurin 25, leaves OS_ARCH out). */
    static final String RELEASE_X86_64 = "JAVA_VERSION=\"25.0.3\"\nMODULES=\"java.base java.logging\"\nOS_ARCH=\"x86_64\"\n"
            + "OS_NAME=\"Linux\"\n";

    @TempDir
    Path dir;

    @Test
    void read_releaseOsArchX86_64_x86_64() throws Exception {
        Path rt = runtime("rt", RELEASE_X86_64);
        assertEquals(new RuntimeArch(rt, CpuArch.X86_64), RuntimeArch.read(rt));
    }

    @Test
    void read_releaseOsArchAarch64_aarch64() throws Exception {
        assertEquals(CpuArch.AARCH64, RuntimeArch.read(runtime("rt", "OS_ARCH=\"aarch64\"\n")).arch());
    }

    @Test
    void read_noReleaseFile_refusedNamingTheFileAndTheBuildScript() throws Exception {
        Path rt = Files.createDirectories(dir.resolve("rt/bin"));
        EncryptException e = refused(() -> RuntimeArch.read(rt.getParent()));
        assertTrue(e.getMessage().contains(rt.getParent().resolve("release").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tools/guest-runtime/build.sh"), e.getMessage());
    }

    @Test
    void read_missingDirectory_refused() {
        refused(() -> RuntimeArch.read(dir.resolve("nothing-here")));
    }

    @Test
    void read_releaseWithoutOsArchNoJava_refusedNamingTheFile() throws Exception {
        Path rt = runtime("rt", "JAVA_VERSION=\"25.0.3\"\nMODULES=\"java.base\"\n");
        EncryptException e = refused(() -> RuntimeArch.read(rt));
        assertTrue(e.getMessage().contains(rt.resolve("release") + " names no OS_ARCH"), e.getMessage());
        assertTrue(e.getMessage().contains("tools/guest-runtime/build.sh"), e.getMessage());
    }

    @Test
    void read_releaseWithoutOsArchAarch64Java_aarch64FromTheElfHeader() throws Exception {
        Path rt = runtime("rt", "JAVA_VERSION=\"25.0.3\"\nMODULES=\"java.base\"\n");
        Files.write(rt.resolve("bin/java"), elf(183));
        assertEquals(CpuArch.AARCH64, RuntimeArch.read(rt).arch());
    }

    @Test
    void read_releaseOversized_refused() throws Exception {
        Path rt = runtime("rt", RELEASE_X86_64 + "#".repeat(RuntimeArch.MAX_RELEASE_BYTES));
        EncryptException e = refused(() -> RuntimeArch.read(rt));
        assertTrue(e.getMessage().contains("larger than 65536 bytes"), e.getMessage());
    }

    @Test
    void read_releaseExactlyAtTheBound_read() throws Exception {
        String r = RELEASE_X86_64 + "#".repeat(RuntimeArch.MAX_RELEASE_BYTES - RELEASE_X86_64.length());
        assertEquals(CpuArch.X86_64, RuntimeArch.read(runtime("rt", r)).arch());
    }

    @Test
    void read_unknownOsArch_refusedNamingIt() throws Exception {
        EncryptException e = refused(() -> RuntimeArch.read(runtime("rt", "OS_ARCH=\"riscv64\"\n")));
        assertTrue(e.getMessage().contains("riscv64"), e.getMessage());
    }

    @Test
    void read_twoDifferentOsArchLines_refused() throws Exception {
        refused(() -> RuntimeArch.read(runtime("rt", "OS_ARCH=\"x86_64\"\nOS_ARCH=\"aarch64\"\n")));
    }

    @Test
    void read_osArchAndJavaDisagree_refused() throws Exception {
        Path rt = runtime("rt", RELEASE_X86_64);
        Files.write(rt.resolve("bin/java"), elf(183));
        EncryptException e = refused(() -> RuntimeArch.read(rt));
        assertTrue(e.getMessage().contains("is an aarch64 executable"), e.getMessage());
    }

    @Test
    void read_javaNotElf_refused() throws Exception {
        Path rt = runtime("rt", RELEASE_X86_64);
        Files.writeString(rt.resolve("bin/java"), "#!/bin/sh\nexec /usr/bin/java \"$@\"\n");
        refused(() -> RuntimeArch.read(rt));
    }

    @Test
    void read_javaElfForAnotherMachine_refused() throws Exception {
        Path rt = runtime("rt", "MODULES=\"java.base\"\n");
        Files.write(rt.resolve("bin/java"), elf(243)); // RISC-V
        EncryptException e = refused(() -> RuntimeArch.read(rt));
        assertTrue(e.getMessage().contains("machine 243"), e.getMessage());
    }

    @Test
    void read_theRunningJdk_itsOwnArchitecture() throws Exception {
        Path home = Path.of(System.getProperty("java.home"));
        CpuArch expected = CpuArch.ofName(System.getProperty("os.arch")).orElseThrow();
        assertEquals(expected, RuntimeArch.read(home).arch(), "release and bin/java of " + home);
        Path rt = runtime("jlinked", "JAVA_VERSION=\"25\"\nMODULES=\"java.base\"\n"); // a jlink image without jmods
        Files.copy(home.resolve("bin/java"), rt.resolve("bin/java"));
        assertEquals(expected, RuntimeArch.read(rt).arch());
    }

    private Path runtime(String name, String release) throws Exception {
        Path rt = Files.createDirectories(dir.resolve(name).resolve("bin")).getParent();
        Files.writeString(rt.resolve("release"), release, StandardCharsets.US_ASCII);
        return rt;
    }

    /** The first 64 bytes of a little-endian ELF64 executable for {@code machine}. */
    private static byte[] elf(int machine) {
        byte[] b = new byte[64];
        b[0] = 0x7f;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        b[4] = 2; // ELFCLASS64
        b[5] = 1; // ELFDATA2LSB
        b[6] = 1;
        b[16] = 2; // ET_EXEC
        b[18] = (byte) machine;
        b[19] = (byte) (machine >> 8);
        return b;
    }

    private static EncryptException refused(Executable call) {
        EncryptException e = assertThrows(EncryptException.class, call);
        assertEquals(EncryptException.Step.AGENT, e.step(), e.getMessage());
        return e;
    }
}
