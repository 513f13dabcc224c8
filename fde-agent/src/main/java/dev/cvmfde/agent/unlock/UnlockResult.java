package dev.cvmfde.agent.unlock;

/** What the unlock command made of a key. Messages come from the command's output, never the key. */
public sealed interface UnlockResult {
    record Opened(String detail) implements UnlockResult {
    }

    /** The command failed (exit status, or timed out); {@code message} is its last output line. */
    record Refused(int exitStatus, String message) implements UnlockResult {
    }

    /**
     * The key opened a volume, but not the one the image builder wrote: the volume key (or the
     * mapping cryptsetup made) does not match the recorded header ({@code field}: which part).
     * Nothing stays mapped; no later key can change that, so the agent stops.
     */
    record VolumeRefused(String field, String message) implements UnlockResult {
    }
}
