package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The agent runtimes given ({@code --agent-runtime}, repeatable, at most one per CPU architecture)
 * and the choice among them for a guest: the kernels whose initramfs get the agent must share one
 * architecture, and the runtime of that architecture goes into the image. A guest with none among
 * the runtimes is refused with the command that builds one, so one build pipeline can pass an
 * x86_64 and an aarch64 runtime for every guest.
 */
public record RuntimeChoice(List<RuntimeArch> runtimes) {
    public RuntimeChoice {
        runtimes = List.copyOf(runtimes);
        if (runtimes.isEmpty()) {
            throw new IllegalArgumentException("at least one agent runtime is needed");
        }
    }

    /** A guest kernel whose initramfs gets the agent: its path on the boot partition ({@code /vmlinuz-…}) and architecture. */
    public record Kernel(String shown, CpuArch arch) {
        public Kernel {
            Objects.requireNonNull(shown, "shown");
            Objects.requireNonNull(arch, "arch");
        }

        /**
         * The kernel in {@code file}, {@code shown} in messages.
         *
         * @throws EncryptException (BOOT) when its architecture cannot be told ({@link CpuArch#ofKernel})
         */
        public static Kernel read(Path file, String shown) throws IOException, EncryptException {
            return new Kernel(shown, CpuArch.ofKernel(file, shown));
        }
    }

    /** The runtime chosen for {@code kernels}, which are all of its architecture. */
    public record Chosen(RuntimeArch runtime, List<Kernel> kernels) {
        public Chosen {
            Objects.requireNonNull(runtime, "runtime");
            kernels = List.copyOf(kernels);
        }

        /** The runtime as given ({@code rt-arm64/}). */
        public String runtimeShown() {
            return RuntimeArch.asDir(runtime.dir());
        }

        /** {@code rt-arm64/ (aarch64) for kernel /vmlinuz-6.12.48+deb13-arm64 (aarch64)}. */
        public String describe() {
            return runtimeShown() + " (" + runtime.arch() + ") for " + kernelsShown(kernels) + " (" + runtime.arch() + ")";
        }
    }

    /**
     * Reads the runtimes in {@code dirs} ({@link RuntimeArch#read}), in order.
     *
     * @throws EncryptException (AGENT) for a runtime that cannot be read, and for two of one
     *     architecture (naming both)
     */
    public static RuntimeChoice read(List<Path> dirs) throws IOException, EncryptException {
        List<RuntimeArch> read = new ArrayList<>();
        for (Path dir : dirs) {
            RuntimeArch runtime = RuntimeArch.read(dir);
            for (RuntimeArch earlier : read) {
                if (earlier.arch() == runtime.arch()) {
                    throw refused("two agent runtimes for " + runtime.arch() + ": " + RuntimeArch.asDir(earlier.dir())
                            + " and " + RuntimeArch.asDir(runtime.dir()) + "; give at most one per CPU architecture"
                            + " (x86_64, aarch64): the guest kernel's architecture picks the one that goes into the image");
                }
            }
            read.add(runtime);
        }
        return new RuntimeChoice(read);
    }

    /**
     * The runtime for {@code kernels} (at least one).
     *
     * @throws EncryptException (AGENT) when the kernels are of different architectures (naming
     *     each), or when no runtime is of theirs (naming the runtimes and the build command)
     */
    public Chosen choose(List<Kernel> kernels) throws EncryptException {
        if (kernels.isEmpty()) {
            throw new IllegalArgumentException("no kernel to choose an agent runtime for");
        }
        CpuArch arch = kernels.getFirst().arch();
        if (kernels.stream().anyMatch(k -> k.arch() != arch)) {
            throw refused("the guest's kernels are of different CPU architectures: " + kernels.stream()
                    .map(k -> k.shown() + " is " + k.arch()).collect(Collectors.joining(", ")) + "; each gets the agent"
                    + " in its initramfs and an image holds one agent runtime: remove the kernels of the other"
                    + " architecture from the boot partition");
        }
        for (RuntimeArch runtime : runtimes) {
            if (runtime.arch() == arch) {
                return new Chosen(runtime, kernels);
            }
        }
        String given = runtimes.size() == 1
                ? "the agent runtime " + RuntimeArch.asDir(runtimes.getFirst().dir()) + " is " + runtimes.getFirst().arch()
                : "the agent runtimes given are " + runtimes.stream().map(r -> RuntimeArch.asDir(r.dir()) + " (" + r.arch()
                        + ")").collect(Collectors.joining(", "));
        throw refused("the guest " + kernelsShown(kernels) + (kernels.size() == 1 ? " is " : " are ") + arch + " but " + given
                + "; build an " + arch + " runtime with " + RuntimeArch.build(arch));
    }

    /** {@code kernel /vmlinuz-a}, {@code kernels /vmlinuz-a, /vmlinuz-b}. */
    private static String kernelsShown(List<Kernel> kernels) {
        return (kernels.size() == 1 ? "kernel " : "kernels ")
                + kernels.stream().map(Kernel::shown).collect(Collectors.joining(", "));
    }

    private static EncryptException refused(String message) {
        return new EncryptException(EncryptException.Step.AGENT, message);
    }
}
