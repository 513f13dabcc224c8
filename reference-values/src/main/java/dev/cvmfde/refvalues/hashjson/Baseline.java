package dev.cvmfde.refvalues.hashjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference measurements of one boot chain (the content of a hash.json): the Authenticode
 * hash of the grub EFI image, the file digest of grub.cfg, and per kernel the digests of the
 * decompressed kernel and the initramfs. {@link Form#FLAT} holds exactly one kernel without a
 * version; {@link Form#MULTI_KERNEL} one or more with distinct versions. A UEFI boot through
 * shim also names the shim ({@link #SHIM_FIELD}, its Authenticode hash), kept among the extra
 * fields so every reader of the record stays as it was; {@link #shim()} reads it, checked here.
 */
public record Baseline(DigestAlgorithm hashAlg, Digest grub, Digest grubCfg, List<KernelEntry> kernels, Form form,
        Map<String, JsonNode> extraFields) {

    /** The hash.json field of the first-stage loader the firmware runs before grub (shim). */
    public static final String SHIM_FIELD = "shim";

    /** Which of the two hash.json layouts this baseline is written in. */
    public enum Form { FLAT, MULTI_KERNEL }

    public Baseline {
        Objects.requireNonNull(hashAlg, "hashAlg");
        Objects.requireNonNull(form, "form");
        if (hashAlg.hashJsonName().isEmpty()) {
            throw new IllegalArgumentException("hash.json allows sha-256 and sha-512; got " + hashAlg.bankName());
        }
        kernels = List.copyOf(kernels);
        if (kernels.isEmpty()) {
            throw new IllegalArgumentException("a baseline needs at least one kernel");
        }
        if (form == Form.FLAT && kernels.size() != 1) {
            throw new IllegalArgumentException("the flat form holds exactly one kernel; got " + kernels.size());
        }
        checkAlg(hashAlg, grub, "grub");
        checkAlg(hashAlg, grubCfg, "grub.cfg");
        for (KernelEntry k : kernels) {
            checkAlg(hashAlg, k.kernel(), "kernel");
            if (form == Form.MULTI_KERNEL && k.version().isEmpty()) {
                throw new IllegalArgumentException("the multi-kernel form needs a version for every kernel");
            }
        }
        extraFields = KernelEntry.deepCopy(extraFields);
        shimDigest(hashAlg, extraFields);
    }

    /** A flat baseline (the reference's original hash.json form). */
    public static Baseline flat(Digest grub, Digest grubCfg, Digest kernel, Digest initramfs) {
        return new Baseline(grub.algorithm(), grub, grubCfg,
                List.of(new KernelEntry(Optional.empty(), kernel, initramfs, Map.of())), Form.FLAT, Map.of());
    }

    /** A multi-kernel baseline. */
    public static Baseline multiKernel(Digest grub, Digest grubCfg, List<KernelEntry> kernels) {
        return new Baseline(grub.algorithm(), grub, grubCfg, kernels, Form.MULTI_KERNEL, Map.of());
    }

    @Override
    public Map<String, JsonNode> extraFields() {
        return KernelEntry.deepCopy(extraFields);
    }

    /**
     * The shim's Authenticode hash, when the firmware runs shim and shim runs grub (a Debian-style
     * UEFI boot: {@code EFI/BOOT/BOOTX64.EFI} is shim, {@code grubx64.efi} beside it); empty when the
     * firmware runs grub itself.
     */
    public Optional<Digest> shim() {
        return shimDigest(hashAlg, extraFields);
    }

    /** A copy of this baseline that names {@code shim} (same algorithm) as the first-stage loader. */
    public Baseline withShim(Digest shim) {
        checkAlg(hashAlg, shim, SHIM_FIELD);
        Map<String, JsonNode> extra = new LinkedHashMap<>(extraFields);
        extra.put(SHIM_FIELD, TextNode.valueOf(shim.hex()));
        return new Baseline(hashAlg, grub, grubCfg, kernels, form, extra);
    }

    private static Optional<Digest> shimDigest(DigestAlgorithm alg, Map<String, JsonNode> extra) {
        JsonNode n = extra.get(SHIM_FIELD);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isTextual() || n.textValue().length() != alg.size() * 2) {
            throw new IllegalArgumentException(SHIM_FIELD + " must be " + alg.size() * 2 + " hex characters ("
                    + alg.bankName() + "); got " + (n.isTextual() ? n.textValue().length() + " characters" : n.getNodeType()));
        }
        return Optional.of(Digest.ofHex(alg, n.textValue()));
    }

    /** The kernel entry with this version, if any. */
    public Optional<KernelEntry> kernel(String version) {
        return kernels.stream().filter(k -> k.version().filter(version::equals).isPresent()).findFirst();
    }

    private static void checkAlg(DigestAlgorithm alg, Digest d, String field) {
        Objects.requireNonNull(d, field);
        if (d.algorithm() != alg) {
            throw new IllegalArgumentException(field + " is " + d.algorithm().bankName() + " but hash_alg is "
                    + alg.bankName());
        }
    }
}
