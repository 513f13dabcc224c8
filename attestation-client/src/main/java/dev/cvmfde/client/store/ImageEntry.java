package dev.cvmfde.client.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An image as {@link ImageStore#list()} shows it: its id, when it was added, and its baselines
 * (newest first, including those whose rollout window has ended). Never the key, wrapped or not.
 */
public record ImageEntry(ImageId id, Instant addedAt, List<StoredBaseline> baselines) {
    public ImageEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(addedAt, "addedAt");
        baselines = List.copyOf(baselines);
    }

    /** The baselines accepted at {@code now}, newest first. */
    public List<StoredBaseline> acceptedAt(Instant now) {
        return baselines.stream().filter(b -> b.acceptedAt(now)).toList();
    }
}
