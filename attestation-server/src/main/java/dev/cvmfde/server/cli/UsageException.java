package dev.cvmfde.server.cli;

/** Options that parse but do not make sense together (exit code 2); the message says what to pass. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message, null, false, false);
    }
}
