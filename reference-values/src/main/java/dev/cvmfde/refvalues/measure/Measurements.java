package dev.cvmfde.refvalues.measure;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.measure.MeasureException.Kind;
import dev.cvmfde.refvalues.measure.internal.PeImage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Measurements of single boot components, the way firmware and grub measure them: the
 * Authenticode image hash of an EFI binary, the plain digest of a file (grub.cfg, initramfs),
 * and the digest of a kernel after gzip decompression when the file is gzip (aarch64
 * {@code Image.gz}/{@code vmlinuz}), else of the raw file (x86 bzImage).
 */
public final class Measurements {
    /** Largest EFI binary hashed (it is read whole); grub images are a few MiB. */
    public static final long MAX_EFI_IMAGE_BYTES = 64L << 20;
    /** Largest decompressed kernel accepted; refuses gzip bombs. */
    public static final long MAX_DECOMPRESSED_KERNEL_BYTES = 1L << 30;

    private static final int BUFFER = 1 << 16;

    private Measurements() {
    }

    /** The Authenticode (PE image) hash of an EFI binary. */
    public static Digest authenticode(Path efiImage, DigestAlgorithm alg) throws IOException, MeasureException {
        long size = Files.size(efiImage);
        if (size > MAX_EFI_IMAGE_BYTES) {
            throw new MeasureException(Kind.TOO_LARGE, efiImage + ": " + size + " bytes; EFI images up to "
                    + MAX_EFI_IMAGE_BYTES + " bytes are measured");
        }
        byte[] image;
        try (InputStream in = Files.newInputStream(efiImage)) {
            image = in.readNBytes((int) MAX_EFI_IMAGE_BYTES + 1);
        }
        if (image.length > MAX_EFI_IMAGE_BYTES) {
            throw new MeasureException(Kind.TOO_LARGE, efiImage + ": grew beyond " + MAX_EFI_IMAGE_BYTES + " bytes");
        }
        return authenticode(image, alg);
    }

    /** The Authenticode (PE image) hash of an EFI binary held in memory. */
    public static Digest authenticode(byte[] efiImage, DigestAlgorithm alg) throws MeasureException {
        return new Digest(alg, PeImage.authenticodeHash(efiImage, alg.newMessageDigest()));
    }

    /** The digest of the file's bytes (grub.cfg, initramfs). */
    public static Digest file(Path file, DigestAlgorithm alg) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return stream(in, alg, Long.MAX_VALUE);
        }
    }

    /** True when the file starts with the gzip magic {@code 1f 8b}. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(2);
            return magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        }
    }

    /** The digest of the kernel image: decompressed if the file is gzip, raw otherwise. */
    public static Digest kernel(Path kernel, DigestAlgorithm alg) throws IOException, MeasureException {
        if (!isGzip(kernel)) {
            return file(kernel, alg);
        }
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(kernel)), BUFFER)) {
            return stream(in, alg, MAX_DECOMPRESSED_KERNEL_BYTES);
        } catch (ZipException | java.io.EOFException e) {
            throw new MeasureException(Kind.BAD_COMPRESSION, kernel + ": gzip kernel does not decompress: "
                    + e.getMessage(), e);
        } catch (LimitExceeded e) {
            throw new MeasureException(Kind.TOO_LARGE, kernel + ": decompresses to more than "
                    + MAX_DECOMPRESSED_KERNEL_BYTES + " bytes");
        }
    }

    private static Digest stream(InputStream in, DigestAlgorithm alg, long limit) throws IOException {
        MessageDigest md = alg.newMessageDigest();
        byte[] buf = new byte[BUFFER];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0;) {
            total += n;
            if (total > limit) {
                throw new LimitExceeded();
            }
            md.update(buf, 0, n);
        }
        return new Digest(alg, md.digest());
    }

    private static final class LimitExceeded extends IOException {
        LimitExceeded() {
            super("size limit exceeded");
        }
    }
}
