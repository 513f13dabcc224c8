package dev.cvmfde.agent.unlock;

/** What the unlock command made of a key. Messages come from the command's output, never the key. */
public sealed interface UnlockResult {
    record Opened(String detail) implements UnlockResult {
    }

    /** The command failed (exit status, or timed out); {@code message} is its last output line. */
    record Refused(int exitStatus, String message) implements UnlockResult {
    }
}
