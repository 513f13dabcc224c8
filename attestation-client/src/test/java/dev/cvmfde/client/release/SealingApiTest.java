package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.protocol.release.ReleaseFormat;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.server.AttestationServer;
import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Release without verify cannot be written against the public API: every public method or
 * constructor of an exported (non-{@code internal}) package of attestation-client,
 * attestation-protocol and attestation-server that takes a key ({@link SecretBytes}) together
 * with an EC key (the verifier's signing key or a signer made from it) also takes an
 * {@link Affirming}, which only the verifier can make. (fde-agent has the same test for the
 * guest side: {@code dev.cvmfde.agent.selftest.SealingApiTest}.)
 */
@Timeout(60)
class SealingApiTest {

    @Test
    void exportedPackages_everyMethodTakingAKeyAndASigningKey_takesAnAffirming() throws Exception {
        List<String> offending = new ArrayList<>();
        int sealers = 0;
        for (Class<?> anchor : List.of(KeyRelease.class, AttestationServer.class, ReleaseFormat.class)) {
            for (Class<?> type : exportedPublicClasses(anchor)) {
                List<Executable> members = new ArrayList<>(Arrays.asList(type.getDeclaredMethods()));
                members.addAll(Arrays.asList(type.getDeclaredConstructors()));
                for (Executable m : members) {
                    List<Class<?>> params = Arrays.asList(m.getParameterTypes());
                    boolean seals = params.contains(SecretBytes.class)
                            && params.stream().anyMatch(p -> p == ECKey.class || p.getSimpleName().endsWith("Signer"));
                    if (Modifier.isPublic(m.getModifiers()) && seals) {
                        sealers++;
                        if (!params.contains(Affirming.class)) {
                            offending.add(m.toString());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "public ways to seal a key without an Affirming");
        assertFalse(sealers == 0, "the scan found no sealer at all (KeyRelease.seal should be one): it scans nothing");
    }

    /** Public top-level and nested classes of {@code anchor}'s module outside any {@code internal} package. */
    private static List<Class<?>> exportedPublicClasses(Class<?> anchor) throws IOException, URISyntaxException {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.map(root::relativize).map(Path::toString).forEach(names::add);
            }
        } else {
            try (var jar = new java.util.jar.JarFile(root.toFile())) {
                jar.stream().map(java.util.jar.JarEntry::getName).forEach(names::add);
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            String n = name.replace('\\', '/');
            if (!n.startsWith("dev/cvmfde/") || !n.endsWith(".class") || n.contains("/internal/")) {
                continue;
            }
            try {
                Class<?> c = Class.forName(n.substring(0, n.length() - ".class".length()).replace('/', '.'), false,
                        SealingApiTest.class.getClassLoader());
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AssertionError("cannot load " + n, e);
            }
        }
        assertFalse(classes.isEmpty(), "no classes found under " + root);
        return classes;
    }
}
