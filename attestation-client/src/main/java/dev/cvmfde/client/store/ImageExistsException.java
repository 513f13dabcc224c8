package dev.cvmfde.client.store;

/** {@code add} of an id that is already in the store: a key is never replaced (remove it first). */
public final class ImageExistsException extends StoreException {
    private final ImageId id;

    public ImageExistsException(ImageId id) {
        super("image '" + id + "' is already in the store; its key is never replaced (remove it first)");
        this.id = id;
    }

    public ImageId id() {
        return id;
    }
}
