package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An agent runtime ({@code --agent-runtime}) and the CPU architecture it runs on, which every
 * guest kernel that gets it must share ({@link RuntimeChoice}). The runtime is a jlink image, so
 * it must have a {@code release} file; its architecture is that file's {@code OS_ARCH} and the ELF
 * machine of {@code bin/java} (what the launcher runs): at least one must be there, and when both
 * are they must agree. (jlink from a JDK without jmods, as Temurin 25, writes no OS_ARCH: there {@code
 * bin/java} tells.)
 */
public record RuntimeArch(Path dir, CpuArch arch) {
    /** Largest release file read; jlink's is a few hundred bytes. */
    static final int MAX_RELEASE_BYTES = 64 << 10;
    static final String RELEASE = "release";
    static final String JAVA = "bin/java";
    static final String BUILD_SCRIPT = "tools/guest-runtime/build.sh";

    private static final int ELF_HEADER_BYTES = 64;

    public RuntimeArch {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(arch, "arch");
    }

    /**
     * Reads the architecture of the runtime in {@code dir}.
     *
     * @throws EncryptException (AGENT) when it has no release file, one over 64 KiB, or neither an
     *     OS_ARCH nor a {@code bin/java} that name x86_64 or aarch64, or the two disagree
     */
    public static RuntimeArch read(Path dir) throws IOException, EncryptException {
        Path release = dir.resolve(RELEASE);
        if (!Files.isRegularFile(release)) {
            throw refused("the agent runtime " + asDir(dir) + " has no " + release + " (every jlink image has one; with "
                    + JAVA + " it tells the runtime's CPU architecture): build the runtime with " + build(CpuArch.X86_64)
                    + ", or " + build(CpuArch.AARCH64) + " for aarch64 guests");
        }
        Optional<CpuArch> fromRelease = osArch(release);
        Optional<CpuArch> fromJava = javaArch(dir.resolve(JAVA));
        if (fromRelease.isEmpty() && fromJava.isEmpty()) {
            throw refused(release + " names no OS_ARCH and " + dir.resolve(JAVA) + " is missing, so the runtime's CPU"
                    + " architecture is unknown: build the runtime with " + build(CpuArch.X86_64) + ", or "
                    + build(CpuArch.AARCH64) + " for aarch64 guests");
        }
        if (fromRelease.isPresent() && fromJava.isPresent() && fromRelease.get() != fromJava.get()) {
            throw refused(release + " says OS_ARCH=\"" + fromRelease.get() + "\" but " + dir.resolve(JAVA) + " is an "
                    + fromJava.get() + " executable; rebuild the runtime with " + BUILD_SCRIPT);
        }
        return new RuntimeArch(dir, fromRelease.orElseGet(fromJava::get));
    }

    /** The command that builds a runtime for {@code a} ({@code x86_64} is build.sh's default). */
    static String build(CpuArch a) {
        return a == CpuArch.X86_64 ? BUILD_SCRIPT + " OUT" : BUILD_SCRIPT + " --arch " + a.debianName() + " OUT";
    }

    /** The OS_ARCH of a jlink release file ({@code OS_ARCH="x86_64"}), read bounded; empty when it has none. */
    private static Optional<CpuArch> osArch(Path release) throws IOException, EncryptException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(release)) {
            bytes = in.readNBytes(MAX_RELEASE_BYTES + 1);
        }
        if (bytes.length > MAX_RELEASE_BYTES) {
            throw refused(release + " is larger than " + MAX_RELEASE_BYTES + " bytes; a jlink release file is a few"
                    + " hundred: build the runtime with " + BUILD_SCRIPT);
        }
        List<String> values = new String(bytes, StandardCharsets.ISO_8859_1).lines().map(String::strip)
                .filter(l -> l.startsWith("OS_ARCH=")).map(l -> unquote(l.substring("OS_ARCH=".length()).strip()))
                .distinct().toList();
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw refused(release + " names OS_ARCH " + values.size() + " times, differently: " + values);
        }
        Optional<CpuArch> arch = CpuArch.ofName(values.getFirst());
        if (arch.isEmpty()) {
            throw refused(release + " says OS_ARCH=\"" + values.getFirst() + "\"; x86_64 and aarch64 guests are supported");
        }
        return arch;
    }

    /** The ELF machine of {@code bin/java}; empty when the runtime has none. */
    private static Optional<CpuArch> javaArch(Path java) throws IOException, EncryptException {
        if (!Files.isRegularFile(java)) {
            return Optional.empty();
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(java)) {
            head = in.readNBytes(ELF_HEADER_BYTES);
        }
        OptionalInt machine = CpuArch.elfMachine(head);
        if (machine.isEmpty()) {
            throw refused(java + " is not an ELF executable; build the runtime with " + BUILD_SCRIPT);
        }
        Optional<CpuArch> arch = CpuArch.ofElfMachine(machine.getAsInt());
        if (arch.isEmpty()) {
            throw refused(java + " is an ELF executable for machine " + machine.getAsInt()
                    + "; x86_64 (62) and aarch64 (183) guests are supported");
        }
        return arch;
    }

    /** The directory as users give it: {@code runtime/}. */
    static String asDir(Path dir) {
        String s = dir.toString();
        return s.endsWith("/") ? s : s + "/";
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static EncryptException refused(String message) {
        return new EncryptException(EncryptException.Step.AGENT, message);
    }
}
