package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.ImageEntry;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.KeySealer;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeyUnavailableException;
import dev.cvmfde.client.store.SignedBaseline;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoreUnavailableException;
import dev.cvmfde.client.store.StoredBaseline;
import dev.cvmfde.client.store.UnknownImageException;
import dev.cvmfde.client.store.Verdict;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What both backends share: the checks, the envelope, the rollout rule and the release step; a
 * backend supplies storage ({@link #read}, {@link #insert}, {@link #update}, …) with its own
 * atomicity (lock + rename, or a transaction).
 */
abstract class AbstractImageStore implements ImageStore {
    /** Associated data of the root-key check value written when a store is created. */
    static final byte[] ROOT_KEY_CHECK_AAD = "cvmfde image-store v1 root-key-check".getBytes(StandardCharsets.US_ASCII);

    protected final RootKey rootKey;
    protected final Clock clock;

    AbstractImageStore(RootKey rootKey, Clock clock) {
        this.rootKey = rootKey;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---- backend

    abstract Optional<StoredImage> read(ImageId id) throws StoreException;

    abstract List<StoredImage> readAll() throws StoreException;

    /** @throws dev.cvmfde.client.store.ImageExistsException if the id is taken */
    abstract void insert(StoredImage image) throws StoreException;

    /** @throws UnknownImageException if absent */
    abstract void delete(ImageId id) throws StoreException;

    /** Atomically replaces the image's baselines with {@code change}'s result. */
    abstract void update(ImageId id, BaselineChange change) throws StoreException;

    /**
     * Runs {@code step} on the image and appends {@code released} to the trail as one unit:
     * returns {@code step}'s result only once the record is durable.
     */
    abstract <T> T releaseStep(ImageId id, AuditEvent released, ReleaseStep<T> step) throws StoreException;

    @FunctionalInterface
    interface BaselineChange {
        List<StoredBaseline> apply(List<StoredBaseline> current) throws StoreException;
    }

    @FunctionalInterface
    interface ReleaseStep<T> {
        T apply(StoredImage image) throws StoreException;
    }

    // ---- ImageStore

    @Override
    public void add(ImageId id, SignedBaseline baseline, SecretBytes key) throws StoreException {
        RootKey root = requireRootKey();
        StoredBaseline checked = BaselineChecks.check(id, baseline, clock.instant());
        insert(new StoredImage(id, checked.addedAt(), Envelope.seal(root, id, key), List.of(checked)));
    }

    @Override
    public List<ImageEntry> list() throws StoreException {
        return readAll().stream().sorted(Comparator.comparing(StoredImage::id)).map(StoredImage::entry).toList();
    }

    @Override
    public ImageEntry get(ImageId id) throws StoreException {
        return require(id).entry();
    }

    @Override
    public void remove(ImageId id) throws StoreException {
        delete(id);
    }

    @Override
    public void rotateBaseline(ImageId id, SignedBaseline newBaseline, Instant until) throws StoreException {
        Instant now = clock.instant();
        if (!until.isAfter(now)) {
            throw new IllegalArgumentException("rollout end " + until + " is not after now (" + now
                    + "); give a future date: the old baseline stays accepted until then");
        }
        StoredBaseline checked = BaselineChecks.check(id, newBaseline, now);
        update(id, current -> rotated(current, checked, until));
    }

    /** The new baseline first; every other one ends at {@code until} or its earlier end. */
    static List<StoredBaseline> rotated(List<StoredBaseline> current, StoredBaseline added, Instant until) {
        List<StoredBaseline> out = new ArrayList<>();
        out.add(added);
        for (StoredBaseline b : current) {
            Instant end = b.acceptedUntil().filter(u -> u.isBefore(until)).orElse(until);
            out.add(new StoredBaseline(b.hashJson(), b.detachedJws(), b.signer(), b.addedAt(), Optional.of(end)));
        }
        return out;
    }

    @Override
    public List<StoredBaseline> acceptableBaselines(ImageId id, Instant now) throws StoreException {
        return require(id).entry().acceptedAt(now);
    }

    @Override
    public SecretBytes unwrapKey(ImageId id) throws StoreException {
        RootKey root = requireRootKey();
        return require(id).envelope().open(root, id);
    }

    @Override
    public <T> T release(ImageId id, AuditEvent released, KeySealer<T> sealer) throws StoreException {
        Objects.requireNonNull(sealer, "sealer");
        if (released.verdict() != Verdict.RELEASED) {
            throw new IllegalArgumentException("release() records a " + Verdict.RELEASED.word() + " event; got "
                    + released.verdict().word() + " (append refusals with audit().append)");
        }
        if (!released.imageId().equals(id.value())) {
            throw new IllegalArgumentException("the audit event names image '" + released.imageId()
                    + "' but the release is for '" + id + "'");
        }
        RootKey root = requireRootKey();
        return releaseStep(id, released, image -> {
            try (SecretBytes key = image.envelope().open(root, id)) {
                return sealer.seal(key);
            } catch (StoreException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new StoreUnavailableException("sealing the key of image '" + id + "' failed: "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
            }
        });
    }

    // ---- helpers for backends

    StoredImage require(ImageId id) throws StoreException {
        return read(id).orElseThrow(() -> new UnknownImageException(id));
    }

    RootKey requireRootKey() throws RootKeyUnavailableException {
        if (rootKey == null) {
            throw new RootKeyUnavailableException("store " + describe() + " was opened without a root key; give --root-key");
        }
        return rootKey;
    }

    /** A new check value: a random block wrapped by the root key, kept in the store's metadata. */
    static byte[] newRootKeyCheck(RootKey root) throws RootKeyUnavailableException {
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        try {
            return root.wrap(probe, ROOT_KEY_CHECK_AAD);
        } finally {
            Arrays.fill(probe, (byte) 0);
        }
    }

    /** Refuses a root key that is not the one the store was created with (fails at open, not at the first release). */
    static void checkRootKey(RootKey root, byte[] check, String store) throws RootKeyUnavailableException {
        try {
            Arrays.fill(root.unwrap(check, ROOT_KEY_CHECK_AAD), (byte) 0);
        } catch (RootKeyUnavailableException e) {
            throw new RootKeyUnavailableException("root key " + root.describe() + " cannot be used with store " + store
                    + ": " + e.getMessage(), e);
        }
    }
}
