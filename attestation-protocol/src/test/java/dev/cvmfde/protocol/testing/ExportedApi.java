package dev.cvmfde.protocol.testing;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The exported API of a module, for tests that check by reflection what it lets a caller write:
 * the public methods and constructors of the public classes under {@code dev/cvmfde/} outside any
 * {@code internal} package, in the class directory or jar that holds {@code anchor}. (Shipped in
 * this module's test-jar, used by attestation-client's and fde-agent's {@code SealingApiTest}.)
 */
public final class ExportedApi {
    private ExportedApi() {
    }

    /** Every public method and constructor of the exported classes of {@code anchor}'s module. */
    public static List<Executable> publicMembers(Class<?> anchor) throws IOException, URISyntaxException {
        List<Executable> members = new ArrayList<>();
        for (Class<?> type : publicClasses(anchor)) {
            Stream.concat(Arrays.stream(type.getDeclaredMethods()), Arrays.stream(type.getDeclaredConstructors()))
                    .filter(m -> Modifier.isPublic(m.getModifiers()))
                    .forEach(members::add);
        }
        return members;
    }

    private static List<Class<?>> publicClasses(Class<?> anchor) throws IOException, URISyntaxException {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.map(root::relativize).map(p -> p.toString().replace('\\', '/')).forEach(names::add);
            }
        } else {
            try (JarFile jar = new JarFile(root.toFile())) {
                jar.stream().map(JarEntry::getName).forEach(names::add);
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String n : names) {
            if (!n.startsWith("dev/cvmfde/") || !n.endsWith(".class") || n.contains("/internal/")) {
                continue;
            }
            try {
                Class<?> c = Class.forName(n.substring(0, n.length() - ".class".length()).replace('/', '.'), false,
                        anchor.getClassLoader());
                if (Modifier.isPublic(c.getModifiers())) {
                    classes.add(c);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + n + " from " + root, e);
            }
        }
        if (classes.isEmpty()) {
            throw new IllegalStateException("no exported classes under " + root + ": the scan would check nothing");
        }
        return classes;
    }
}
