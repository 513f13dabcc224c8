package dev.cvmfde.client.verify;

import dev.cvmfde.client.verify.internal.TrustAnchorLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What the platform (or, for virtCCA cVM-only tokens, the cVM) signature must verify against:
 * a bare public key (PEM {@code PUBLIC KEY} or a public JWK) or an X.509 certificate chain that
 * must validate (PKIX, at verification time) up to a given root. {@link #load(Path)} detects the
 * form; anything else, including private keys, is a {@link TrustAnchorException} that says what
 * was found and what is allowed. {@link TpmEkRoot} is the anchor of TPM evidence: the root an
 * EK certificate must chain to ({@code --tpm-ek-root}); it verifies no CCA token.
 */
public sealed interface TrustAnchor permits TrustAnchor.Key, TrustAnchor.CertificateChain, TrustAnchor.TpmEkRoot {

    /** Largest trust-anchor file read (a chain of a few certificates is a few KiB). */
    int MAX_TRUST_ANCHOR_BYTES = 256 * 1024;
    /** Most certificates in one chain. */
    int MAX_CHAIN_CERTIFICATES = 8;

    /** The key the signature is checked with (the chain's leaf key for a chain). */
    PublicKey signingKey();

    /** One line for tables and logs: the form and a key fingerprint (public data only). */
    String describe();

    /** A bare public key, trusted as given. */
    record Key(PublicKey publicKey, String source) implements TrustAnchor {
        public Key {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(source, "source");
        }

        @Override
        public PublicKey signingKey() {
            return publicKey;
        }

        @Override
        public String describe() {
            return source + " " + publicKey.getAlgorithm() + " key " + TrustAnchorLoader.fingerprint(publicKey);
        }
    }

    /**
     * A certificate chain, leaf first, that must validate up to {@code root} (the root may be the
     * chain's last element or given apart). The leaf's key is the signing key.
     */
    record CertificateChain(List<X509Certificate> chain, X509Certificate root) implements TrustAnchor {
        public CertificateChain {
            chain = List.copyOf(chain);
            Objects.requireNonNull(root, "root");
            if (chain.isEmpty() || chain.size() > MAX_CHAIN_CERTIFICATES) {
                throw new IllegalArgumentException("a chain holds 1 to " + MAX_CHAIN_CERTIFICATES
                        + " certificates; got " + chain.size());
            }
        }

        @Override
        public PublicKey signingKey() {
            return chain.getFirst().getPublicKey();
        }

        @Override
        public String describe() {
            return "certificate chain of " + chain.size() + " (leaf " + chain.getFirst().getSubjectX500Principal()
                    + ", root " + root.getSubjectX500Principal() + ")";
        }
    }

    /**
     * The pinned root of TPM endorsement certificates, with the intermediate CA certificates the
     * EK certificate may need to reach it (a TPM holds only its own EK certificate). Trusted: the
     * root (self-signed); the intermediates are only path candidates and must chain to it.
     */
    record TpmEkRoot(X509Certificate root, List<X509Certificate> intermediates) implements TrustAnchor {
        public TpmEkRoot {
            Objects.requireNonNull(root, "root");
            intermediates = List.copyOf(intermediates);
            if (intermediates.size() > MAX_CHAIN_CERTIFICATES) {
                throw new IllegalArgumentException("at most " + MAX_CHAIN_CERTIFICATES + " intermediates; got "
                        + intermediates.size());
            }
        }

        @Override
        public PublicKey signingKey() {
            return root.getPublicKey();
        }

        @Override
        public String describe() {
            return "TPM EK root " + root.getSubjectX500Principal() + " (" + TrustAnchorLoader.fingerprint(root.getPublicKey())
                    + ")" + (intermediates.isEmpty() ? "" : " with " + intermediates.size() + " intermediate(s)");
        }
    }

    /**
     * Reads a TPM EK root file ({@code --tpm-ek-root}): PEM or DER certificates, intermediates
     * first, the self-signed root last.
     */
    static TpmEkRoot loadTpmEkRoot(Path file) throws IOException, TrustAnchorException {
        return TrustAnchorLoader.loadTpmEkRoot(file);
    }

    /**
     * Reads a trust anchor, detecting its form: a JWK (JSON), PEM {@code PUBLIC KEY}, PEM or DER
     * certificates (leaf first; the last must be a self-signed root, or the only certificate,
     * which is then both leaf and root).
     */
    static TrustAnchor load(Path file) throws IOException, TrustAnchorException {
        return TrustAnchorLoader.load(file);
    }

    /** Reads a chain (leaf first, PEM or DER) and, from another file, the root it must validate to. */
    static TrustAnchor load(Path chainFile, Path rootFile) throws IOException, TrustAnchorException {
        return TrustAnchorLoader.load(chainFile, rootFile);
    }

    /** Parses a trust anchor from bytes; {@code name} appears in error messages. */
    static TrustAnchor parse(byte[] bytes, String name) throws TrustAnchorException {
        return TrustAnchorLoader.parse(bytes, name);
    }
}
