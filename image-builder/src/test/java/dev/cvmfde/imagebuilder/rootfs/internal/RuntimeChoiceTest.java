package dev.cvmfde.imagebuilder.rootfs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which of the runtimes given goes into the image: the one of the guest kernels' architecture
 * (kernel headers made as in {@link CpuArchTest}); kernels of two architectures, none of theirs
 * among the runtimes and two runtimes of one architecture are refused.
 */
class RuntimeChoiceTest {
    static final String ARM64_KERNEL = "/vmlinuz-6.12.48+deb13-arm64";
    static final String X86_KERNEL = "/vmlinuz-6.12.48+deb13-amd64";

    @TempDir
    Path dir;

    @Test
    void choose_aarch64KernelX86_64AndAarch64Runtimes_picksTheAarch64One() throws Exception {
        Path x86 = runtime("rt-x86_64", "x86_64");
        Path arm = runtime("rt-arm64", "aarch64");
        RuntimeChoice.Chosen c = RuntimeChoice.read(List.of(x86, arm)).choose(List.of(arm64Kernel(ARM64_KERNEL)));
        assertEquals(new RuntimeArch(arm, CpuArch.AARCH64), c.runtime());
        assertEquals(arm + "/ (aarch64) for kernel " + ARM64_KERNEL + " (aarch64)", c.describe());
    }

    @Test
    void choose_gzipAarch64KernelAarch64RuntimeGivenFirst_picksIt() throws Exception {
        Path arm = runtime("rt-arm64", "aarch64");
        Path k = Files.write(dir.resolve("vmlinuz"), CpuArchTest.gzip(CpuArchTest.arm64Image())); // as Debian's arm64 kernel
        RuntimeChoice choice = RuntimeChoice.read(List.of(arm, runtime("rt-x86_64", "x86_64")));
        assertEquals(arm, choice.choose(List.of(RuntimeChoice.Kernel.read(k, ARM64_KERNEL))).runtime().dir());
    }

    @Test
    void choose_twoX86_64KernelsTwoRuntimes_picksTheX86_64OneForBoth() throws Exception {
        Path x86 = runtime("rt-x86_64", "x86_64");
        RuntimeChoice choice = RuntimeChoice.read(List.of(runtime("rt-arm64", "aarch64"), x86));
        RuntimeChoice.Chosen c = choice.choose(List.of(x86Kernel("/vmlinuz-6.1"), x86Kernel("/vmlinuz-6.12")));
        assertEquals(x86, c.runtime().dir());
        assertEquals(x86 + "/ (x86_64) for kernels /vmlinuz-6.1, /vmlinuz-6.12 (x86_64)", c.describe());
    }

    @Test
    void choose_oneRuntimeOfTheKernelsArchitecture_thatOne() throws Exception {
        Path arm = runtime("rt", "aarch64");
        assertEquals(arm, RuntimeChoice.read(List.of(arm)).choose(List.of(arm64Kernel("/Image-6.12"))).runtime().dir());
    }

    @Test
    void choose_arm64KernelOneX86_64Runtime_refusedAtAgentSayingHowToBuild() throws Exception {
        Path rt = runtime("runtime", "x86_64");
        EncryptException e = refused(() -> RuntimeChoice.read(List.of(rt)).choose(List.of(arm64Kernel(ARM64_KERNEL))));
        assertTrue(e.getMessage().contains("the guest kernel " + ARM64_KERNEL + " is aarch64 but the agent runtime "
                + rt + "/ is x86_64"), e.getMessage());
        assertTrue(e.getMessage().contains("tools/guest-runtime/build.sh --arch arm64 OUT"), e.getMessage());
    }

    @Test
    void choose_x86KernelOneAarch64Runtime_refusedAtAgent() throws Exception {
        Path rt = runtime("runtime", "aarch64");
        EncryptException e = refused(() -> RuntimeChoice.read(List.of(rt)).choose(List.of(x86Kernel(X86_KERNEL))));
        assertTrue(e.getMessage().contains("is x86_64 but the agent runtime " + rt + "/ is aarch64; build an x86_64"
                + " runtime with tools/guest-runtime/build.sh OUT"), e.getMessage());
    }

    @Test
    void choose_twoArm64KernelsOneX86_64Runtime_refusedNamingBoth() throws Exception {
        Path rt = runtime("runtime", "x86_64");
        EncryptException e = refused(() -> RuntimeChoice.read(List.of(rt))
                .choose(List.of(arm64Kernel("/Image-a"), arm64Kernel("/Image-b"))));
        assertTrue(e.getMessage().contains("the guest kernels /Image-a, /Image-b are aarch64 but"), e.getMessage());
    }

    @Test
    void choose_kernelsOfTwoArchitectures_refusedNamingEachWhateverTheRuntimes() throws Exception {
        List<RuntimeChoice.Kernel> kernels = List.of(x86Kernel(X86_KERNEL), arm64Kernel(ARM64_KERNEL));
        for (List<Path> runtimes : List.of(List.of(runtime("rt-x86_64", "x86_64"), runtime("rt-arm64", "aarch64")),
                List.of(runtime("rt-x86_64", "x86_64")))) {
            EncryptException e = refused(() -> RuntimeChoice.read(runtimes).choose(kernels));
            assertTrue(e.getMessage().contains("different CPU architectures: " + X86_KERNEL + " is x86_64, " + ARM64_KERNEL
                    + " is aarch64"), e.getMessage());
        }
    }

    @Test
    void read_twoX86_64Runtimes_refusedAtAgentNamingBoth() throws Exception {
        Path a = runtime("rt-a", "x86_64");
        Path b = runtime("rt-b", "x86_64");
        EncryptException e = refused(() -> RuntimeChoice.read(List.of(a, runtime("rt-arm64", "aarch64"), b)));
        assertTrue(e.getMessage().contains("two agent runtimes for x86_64: " + a + "/ and " + b + "/"), e.getMessage());
    }

    @Test
    void read_sameRuntimeTwice_refusedAsTwoOfOneArchitecture() throws Exception {
        Path a = runtime("rt", "aarch64");
        EncryptException e = refused(() -> RuntimeChoice.read(List.of(a, a)));
        assertTrue(e.getMessage().contains("two agent runtimes for aarch64"), e.getMessage());
    }

    @Test
    void read_secondRuntimeUnreadable_refusedNamingIt() throws Exception {
        Path none = dir.resolve("missing");
        EncryptException e = refused(() -> RuntimeChoice.read(List.of(runtime("rt", "x86_64"), none)));
        assertTrue(e.getMessage().contains(none + "/ has no"), e.getMessage());
    }

    @Test
    void new_noRuntime_illegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> new RuntimeChoice(List.of()));
    }

    @Test
    void kernelRead_unknownKernel_refusedAtBoot() throws Exception {
        Path k = Files.write(dir.resolve("vmlinuz"), new byte[4096]);
        EncryptException e = assertThrows(EncryptException.class, () -> RuntimeChoice.Kernel.read(k, "/vmlinuz"));
        assertEquals(EncryptException.Step.BOOT, e.step());
    }

    private RuntimeChoice.Kernel arm64Kernel(String shown) throws Exception {
        Path k = Files.write(dir.resolve("k" + shown.replace('/', '-')), CpuArchTest.pe(CpuArchTest.arm64Image(), 0x40, 0xaa64));
        return RuntimeChoice.Kernel.read(k, shown);
    }

    private RuntimeChoice.Kernel x86Kernel(String shown) throws Exception {
        Path k = Files.write(dir.resolve("k" + shown.replace('/', '-')), CpuArchTest.pe(CpuArchTest.bzImage(), 0x80, 0x8664));
        return RuntimeChoice.Kernel.read(k, shown);
    }

    /** A runtime directory whose jlink release file names {@code osArch}. */
    private Path runtime(String name, String osArch) throws Exception {
        Path rt = dir.resolve(name);
        if (!Files.isDirectory(rt)) {
            Files.createDirectories(rt.resolve("bin"));
            Files.writeString(rt.resolve("release"), "JAVA_VERSION=\"25\"\nMODULES=\"java.base\"\nOS_ARCH=\"" + osArch
                    + "\"\n", StandardCharsets.US_ASCII);
        }
        return rt;
    }

    private static EncryptException refused(Executable call) {
        EncryptException e = assertThrows(EncryptException.class, call);
        assertEquals(EncryptException.Step.AGENT, e.step(), e.getMessage());
        return e;
    }
}
