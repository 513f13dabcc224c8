package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.luks.KdfSpec;

/** {@code --kdf}: pbkdf2 (minimal iterations, for random key files) or argon2id (for passphrases). */
enum KdfChoice {
    pbkdf2, argon2id;

    KdfSpec spec() {
        return switch (this) {
            case pbkdf2 -> KdfSpec.forRandomKey();
            case argon2id -> KdfSpec.forPassphrase();
        };
    }

    static final String HELP = "keyslot KDF: pbkdf2 (default) or argon2id.%n"
            + "The default is what systemd-cryptenroll uses for high-entropy secrets: PBKDF2-SHA512 with 1000 "
            + "iterations. The key files this system releases are 256 random bits; stretching them buys nothing, "
            + "while a slow KDF costs every boot seconds and, with argon2id, up to 1 GiB of guest memory. Use "
            + "--kdf argon2id only when the key file holds a human passphrase (the JVM then needs -Xmx above 1 GiB).";
}
