package dev.cvmfde.client.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.AuditTrail;
import dev.cvmfde.client.store.ImageExistsException;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.StoreCorruptException;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoreUnavailableException;
import dev.cvmfde.client.store.UnknownImageException;
import dev.cvmfde.protocol.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The default store: a directory. {@code store.json} (format, version, root-key check value),
 * {@code images/ID.json} (one file per image, replaced atomically: temp file, fsync, rename,
 * directory fsync, mode 0600), {@code audit.jsonl} (see {@link DirectoryAuditTrail}). Writers
 * hold {@code .lock}; readers never lock (a rename is atomic, so they see the old or the new
 * file, never half of one).
 */
final class DirectoryImageStore extends AbstractImageStore {
    static final String FORMAT = "cvmfde-image-store";
    static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final Path images;
    private final DirectoryLock lock;
    private final DirectoryAuditTrail audit;

    private DirectoryImageStore(Path dir, RootKey rootKey, Clock clock) throws StoreException {
        super(rootKey, clock);
        this.dir = dir;
        this.images = dir.resolve("images");
        this.lock = new DirectoryLock(dir.resolve(".lock"));
        this.audit = new DirectoryAuditTrail(dir.resolve("audit.jsonl"));
    }

    static DirectoryImageStore open(Path dir, RootKey rootKey, boolean create, Clock clock) throws StoreException {
        Path meta = dir.resolve("store.json");
        if (create && !Files.exists(meta)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.createDirectories(dir.resolve("images"),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new StoreUnavailableException("cannot create image store directory " + dir + ": " + e.getMessage(), e);
            }
            new DirectoryLock(dir.resolve(".lock")).with(() -> {
                if (!Files.exists(meta)) {
                    String json = "{\"format\":\"" + FORMAT + "\",\"version\":" + VERSION + ",\"rootKeyCheck\":\""
                            + Base64.getEncoder().encodeToString(newRootKeyCheck(rootKey)) + "\"}\n";
                    AtomicFiles.writeNew(meta, json.getBytes(java.nio.charset.StandardCharsets.US_ASCII), true);
                }
                return null;
            });
        }
        JsonNode m;
        try (InputStream in = Files.newInputStream(meta)) {
            m = MAPPER.readTree(in.readNBytes(64 * 1024));
        } catch (NoSuchFileException e) {
            throw new StoreUnavailableException("no image store at " + dir + " (no store.json); 'image add' creates one");
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + meta + ": " + e.getMessage(), e);
        }
        if (m == null || !FORMAT.equals(m.path("format").asText()) || m.path("version").asInt() != VERSION
                || !m.path("rootKeyCheck").isTextual()) {
            throw new StoreCorruptException(meta + " is not a version " + VERSION + " " + FORMAT + " file");
        }
        if (!Files.isDirectory(dir.resolve("images"))) {
            throw new StoreCorruptException("image store " + dir + " has no images/ directory");
        }
        if (rootKey != null) {
            checkRootKey(rootKey, Base64.getDecoder().decode(m.get("rootKeyCheck").asText()), "dir:" + dir);
        }
        return new DirectoryImageStore(dir, rootKey, clock);
    }

    private Path file(ImageId id) {
        return images.resolve(id.value() + ".json");
    }

    @Override
    Optional<StoredImage> read(ImageId id) throws StoreException {
        Path f = file(id);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(f)) {
            bytes = in.readNBytes(ImageJson.MAX_IMAGE_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + f + ": " + e.getMessage(), e);
        }
        if (bytes.length > ImageJson.MAX_IMAGE_FILE_BYTES) {
            throw new StoreCorruptException(f + " is larger than MAX_IMAGE_FILE_BYTES=" + ImageJson.MAX_IMAGE_FILE_BYTES);
        }
        StoredImage image = ImageJson.parse(bytes, f.toString());
        if (!image.id().equals(id)) {
            throw new StoreCorruptException(f + " holds image '" + image.id() + "', not '" + id + "' (renamed file)");
        }
        return Optional.of(image);
    }

    @Override
    List<StoredImage> readAll() throws StoreException {
        List<StoredImage> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(images, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                if (ImageId.isValid(id)) {
                    read(ImageId.of(id)).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot list " + images + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    void insert(StoredImage image) throws StoreException {
        lock.with(() -> {
            if (Files.exists(file(image.id()))) {
                throw new ImageExistsException(image.id());
            }
            AtomicFiles.writeNew(file(image.id()), ImageJson.toBytes(image), true);
            return null;
        });
    }

    @Override
    void delete(ImageId id) throws StoreException {
        lock.with(() -> {
            if (!Files.deleteIfExists(file(id))) {
                throw new UnknownImageException(id);
            }
            try (FileChannel ch = FileChannel.open(images, StandardOpenOption.READ)) {
                ch.force(true);
            }
            return null;
        });
    }

    @Override
    void update(ImageId id, BaselineChange change) throws StoreException {
        lock.with(() -> {
            StoredImage image = require(id);
            AtomicFiles.replace(file(id), ImageJson.toBytes(image.withBaselines(change.apply(image.baselines()))), true);
            return null;
        });
    }

    @Override
    <T> T releaseStep(ImageId id, AuditEvent released, ReleaseStep<T> step) throws StoreException {
        T result = step.apply(require(id));
        audit.append(released);
        return result;
    }

    @Override
    public AuditTrail audit() {
        return audit;
    }

    @Override
    public String describe() {
        return "dir:" + dir;
    }

    @Override
    public void close() {
        audit.close();
    }
}
