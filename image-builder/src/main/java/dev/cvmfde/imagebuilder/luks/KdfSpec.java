package dev.cvmfde.imagebuilder.luks;

/**
 * How a keyslot turns the passphrase (the key file's bytes) into the key that wraps the volume
 * key. Bounds are cryptsetup's own limits, so whatever we write cryptsetup will also open.
 */
public sealed interface KdfSpec permits KdfSpec.Pbkdf2, KdfSpec.Argon2id {

    /** cryptsetup's minimum PBKDF2 iteration count (NIST SP 800-132). */
    int PBKDF2_MIN_ITERATIONS = 1000;
    /** cryptsetup's Argon2 limits: time cost ≥ 4, memory 32 KiB – 4 GiB, 1–4 lanes. */
    int ARGON2_MIN_ITERATIONS = 4;
    int ARGON2_MIN_MEMORY_KIB = 32;
    int ARGON2_MAX_MEMORY_KIB = 4 * 1024 * 1024;
    int ARGON2_MAX_PARALLELISM = 4;

    /** The name in LUKS metadata ({@code pbkdf2}, {@code argon2id}). */
    String luksName();

    /**
     * What systemd-cryptenroll uses for high-entropy secrets (TPM2/FIDO2/PKCS#11 tokens):
     * PBKDF2-SHA512 with the 1000-iteration minimum. The key files this system releases are 256
     * random bits, so stretching them buys nothing, while a slow KDF costs every boot seconds
     * and (argon2id) up to 1 GiB of guest memory.
     */
    static KdfSpec forRandomKey() {
        return new Pbkdf2(HashAlgorithm.SHA512, PBKDF2_MIN_ITERATIONS);
    }

    /**
     * cryptsetup's argon2id memory and lanes (1 GiB, 4) with its minimum time cost, for human
     * passphrases. cryptsetup benchmarks the time cost to reach 2 s; we write fixed costs so a
     * build is reproducible — raise {@code iterations} for weak passphrases.
     */
    static KdfSpec forPassphrase() {
        return new Argon2id(ARGON2_MIN_ITERATIONS, 1024 * 1024, ARGON2_MAX_PARALLELISM);
    }

    /** PBKDF2 with an HMAC of {@code hash}. */
    record Pbkdf2(HashAlgorithm hash, int iterations) implements KdfSpec {
        public Pbkdf2 {
            if (hash == null) {
                throw new IllegalArgumentException("pbkdf2 needs a hash (sha256 or sha512)");
            }
            if (iterations < PBKDF2_MIN_ITERATIONS) {
                throw new IllegalArgumentException("pbkdf2 iterations " + iterations + "; at least "
                        + PBKDF2_MIN_ITERATIONS + " are required (cryptsetup's minimum)");
            }
        }

        @Override
        public String luksName() {
            return "pbkdf2";
        }
    }

    /** Argon2id (version 0x13); {@code memoryKiB} is in KiB as in LUKS2 metadata. */
    record Argon2id(int iterations, int memoryKiB, int parallelism) implements KdfSpec {
        public Argon2id {
            if (iterations < ARGON2_MIN_ITERATIONS) {
                throw new IllegalArgumentException("argon2id time cost " + iterations + "; at least "
                        + ARGON2_MIN_ITERATIONS + " is required (cryptsetup's minimum)");
            }
            if (memoryKiB < ARGON2_MIN_MEMORY_KIB || memoryKiB > ARGON2_MAX_MEMORY_KIB) {
                throw new IllegalArgumentException("argon2id memory " + memoryKiB + " KiB; "
                        + ARGON2_MIN_MEMORY_KIB + " to " + ARGON2_MAX_MEMORY_KIB + " KiB are allowed");
            }
            if (parallelism < 1 || parallelism > ARGON2_MAX_PARALLELISM) {
                throw new IllegalArgumentException("argon2id parallelism " + parallelism + "; 1 to "
                        + ARGON2_MAX_PARALLELISM + " are allowed");
            }
        }

        @Override
        public String luksName() {
            return "argon2id";
        }
    }
}
