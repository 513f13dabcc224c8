package dev.cvmfde.client.store;

import dev.cvmfde.protocol.secret.SecretBytes;
import java.time.Instant;
import java.util.List;

/**
 * The images a broker releases keys for: per image its baselines (with rollout windows) and its
 * key, wrapped at rest by the {@link RootKey} (a fresh AES-256 data-encryption key per image
 * encrypts the key with AES-GCM; the root key wraps that DEK; both bound to the image id), plus
 * the {@link AuditTrail}. Two implementations behave the same: a directory ({@code dir:PATH}) and
 * PostgreSQL ({@code postgresql://…}), see {@link ImageStores}. Thread-safe; several processes
 * may share one store (the directory store serialises writers with a lock file).
 *
 * <p>Every method fails closed with a {@link StoreException} subtype; nothing here returns a
 * partial result. A store opened without a root key ({@link ImageStores#open(String)}) can list,
 * remove and audit, and throws {@link RootKeyUnavailableException} for anything that needs a key.
 */
public interface ImageStore extends AutoCloseable {
    /** The store's spec without credentials, for messages ({@code dir:/var/lib/cvmfde}, {@code postgresql://h:5432/db}). */
    String describe();

    /**
     * Adds an image: checks {@code baseline}'s signature and hash.json, wraps {@code key} (the
     * caller still owns and closes it) and stores both. Never replaces an existing image.
     *
     * @throws ImageExistsException if {@code id} is already there
     * @throws InvalidBaselineException if the signature does not verify or hash.json does not parse
     */
    void add(ImageId id, SignedBaseline baseline, SecretBytes key) throws StoreException;

    /** All images, sorted by id. */
    List<ImageEntry> list() throws StoreException;

    /** One image. */
    ImageEntry get(ImageId id) throws StoreException;

    /** Removes an image, its baselines and its wrapped key (the audit trail keeps its records). */
    void remove(ImageId id) throws StoreException;

    /**
     * Starts a rollout: {@code newBaseline} (checked as in {@link #add}) is accepted from now on;
     * every baseline accepted so far stays accepted until {@code until} (exclusive) and not after.
     * A baseline that already had an earlier end keeps it.
     *
     * @throws IllegalArgumentException if {@code until} is not after the store's current time
     */
    void rotateBaseline(ImageId id, SignedBaseline newBaseline, Instant until) throws StoreException;

    /** The baselines accepted at {@code now}, newest first (one outside a rollout, two inside). */
    List<StoredBaseline> acceptableBaselines(ImageId id, Instant now) throws StoreException;

    /** The image's key, unwrapped by the root key; the caller must close (zeroize) it. */
    SecretBytes unwrapKey(ImageId id) throws StoreException;

    /**
     * Releases {@code id}'s key in one step with its audit record: the image must still exist,
     * {@code released} (verdict {@link Verdict#RELEASED}) is appended to the trail, the key is
     * unwrapped and handed to {@code sealer}, and only if all of that succeeded (for PostgreSQL:
     * the record's row and the decision committed in one transaction) is the sealer's result
     * returned, to be sent. The key is zeroized before this returns. On any exception nothing
     * may be sent; the caller records a refusal with {@link AuditTrail#append}.
     */
    <T> T release(ImageId id, AuditEvent released, KeySealer<T> sealer) throws StoreException;

    /** The store's audit trail. */
    AuditTrail audit();

    /** Releases connections and locks; the root key is the caller's to close. */
    @Override
    void close();
}
