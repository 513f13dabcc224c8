package dev.cvmfde.protocol.release.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** {@code -----BEGIN PUBLIC KEY-----} (SubjectPublicKeyInfo, as {@code openssl ec -pubout} writes) for EC keys, JCA only. */
public final class PublicKeyPem {
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PublicKeyPem() {
    }

    public static String write(ECPublicKey key) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return BEGIN + "\n" + body + "\n" + END + "\n";
    }

    public static boolean looksLikePem(String text) {
        return text.contains("-----BEGIN ");
    }

    /** The EC public key in {@code text}, or a reason why there is none. */
    public static ECPublicKey read(String text) throws PemException {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            String found = firstPemLabel(text);
            throw new PemException("expected a " + BEGIN + " block, found " + found
                    + (found.contains("PRIVATE") ? " (this is a private key; pin the public key only)" : ""));
        }
        String base64 = text.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new PemException("the PUBLIC KEY block is not valid base64");
        }
        try {
            if (KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der)) instanceof ECPublicKey ec) {
                return ec;
            }
            throw new PemException("the PUBLIC KEY block is not an EC key");
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new PemException("the PUBLIC KEY block is not an EC public key (P-256 or P-384 expected)");
        }
    }

    private static String firstPemLabel(String text) {
        int start = text.indexOf("-----BEGIN ");
        if (start < 0) {
            return "no PEM block";
        }
        int lineEnd = text.indexOf('\n', start);
        String line = text.substring(start, lineEnd < 0 ? text.length() : lineEnd).strip();
        return line.length() > 64 ? line.substring(0, 64) : line;
    }

    /** Why a PEM text holds no usable key. */
    public static final class PemException extends Exception {
        public PemException(String message) {
            super(message);
        }
    }
}
