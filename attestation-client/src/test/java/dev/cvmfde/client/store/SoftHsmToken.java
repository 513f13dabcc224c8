package dev.cvmfde.client.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A SoftHSM2 token made for one test (Debian's {@code softhsm2}): {@code softhsm2-util
 * --init-token} in the token directory named by {@code $SOFTHSM2_CONF} (surefire points it into
 * target/, see the pom; the JVM reads it when SunPKCS11 first loads the library), an AES-256 key
 * generated inside the token by {@code pkcs11-tool --keygen} (opensc), sensitive and never
 * extractable, and the SunPKCS11 config and PIN file the {@code pkcs11:} root-key spec names.
 * {@link #remove()} deletes the token as pulling an HSM would; {@link #close()} too.
 */
final class SoftHsmToken implements AutoCloseable {
    static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
    static final String KEY_ALIAS = "cvmfde-root";
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

    final String label;
    final Path config;
    final Path pinFile;
    final String pin;

    private SoftHsmToken(String label, Path config, Path pinFile, String pin) {
        this.label = label;
        this.config = config;
        this.pinFile = pinFile;
        this.pin = pin;
    }

    /** True if softhsm2, pkcs11-tool and the SOFTHSM2_CONF variable are there. */
    static boolean available() {
        return Files.exists(Path.of(LIBRARY)) && System.getenv("SOFTHSM2_CONF") != null
                && Files.isExecutable(Path.of("/usr/bin/softhsm2-util")) && Files.isExecutable(Path.of("/usr/bin/pkcs11-tool"));
    }

    static SoftHsmToken create(Path dir, String label) throws Exception {
        Path conf = Path.of(System.getenv("SOFTHSM2_CONF"));
        Path tokens = conf.resolveSibling("tokens");
        Files.createDirectories(tokens);
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
                + "slots.removable = true\n");
        String pin = "test-pin-" + label;
        String out = run(List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin",
                "test-so-pin"));
        Matcher m = SLOT.matcher(out);
        if (!m.find()) {
            throw new IOException("softhsm2-util did not say which slot the token is in: " + out);
        }
        run(List.of("pkcs11-tool", "--module", LIBRARY, "--token-label", label, "--login", "--pin", pin, "--keygen",
                "--key-type", "AES:32", "--label", KEY_ALIAS, "--sensitive"));
        Path config = Files.writeString(dir.resolve(label + ".pkcs11.cfg"),
                "name = " + label + "\nlibrary = " + LIBRARY + "\nslot = " + m.group(1) + "\n");
        Path pinFile = dir.resolve(label + ".pin");
        Files.writeString(pinFile, pin + "\n");
        Files.setPosixFilePermissions(pinFile, PosixFilePermissions.fromString("rw-------"));
        return new SoftHsmToken(label, config, pinFile, pin);
    }

    /** The {@code --root-key} spec for this token's key. */
    String spec() {
        return "pkcs11:" + config + "?alias=" + KEY_ALIAS + "&pin-file=" + pinFile;
    }

    /** Deletes the token (its files), as removing the HSM would. */
    void remove() throws Exception {
        run(List.of("softhsm2-util", "--delete-token", "--token", label));
    }

    @Override
    public void close() throws Exception {
        Path tokens = Path.of(System.getenv("SOFTHSM2_CONF")).resolveSibling("tokens");
        try {
            remove();
        } catch (IOException gone) {
            // already removed by the test
        }
        if (Files.isDirectory(tokens)) {
            try (Stream<Path> s = Files.list(tokens)) {
                if (s.findAny().isEmpty()) {
                    Files.delete(tokens);
                }
            }
        }
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command.subList(0, 2)) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
