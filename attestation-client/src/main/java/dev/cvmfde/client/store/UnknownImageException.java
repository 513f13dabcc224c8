package dev.cvmfde.client.store;

/** No image with this id is in the store (never added, or removed). */
public final class UnknownImageException extends StoreException {
    private final ImageId id;

    public UnknownImageException(ImageId id) {
        super("no image '" + id + "' in the store");
        this.id = id;
    }

    public ImageId id() {
        return id;
    }
}
