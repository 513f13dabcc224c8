package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/_launch's AOT cache for {@code attestation-client}, run as a user runs it: the real launcher
 * and the real JVM (the machine's Java 25), {@code keygen} in an empty working directory, with
 * the cache directory under {@code XDG_CACHE_HOME}. Whatever the cache does, the working directory
 * stays empty and stdout is what a run without the cache prints (scripts parse it). A JVM that
 * crashes while writing the cache is a fake at that one edge: a {@code bin/java} in front of the
 * real one that, for {@code -XX:AOTMode=create} only, writes a crash log where
 * {@code -XX:ErrorFile} says and aborts (the way Temurin 25.0.3 does here for {@code release}).
 */
class LauncherAotCacheTest {
    static final Duration CREATE_WAIT = Duration.ofSeconds(120);
    static final Pattern KEY_ID = Pattern.compile("key id [A-Za-z0-9_-]+");

    @TempDir
    Path tmp;
    Path repo;
    Path cwd;
    Path cacheDir;
    int run;

    @BeforeEach
    void setUp() throws IOException {
        repo = repositoryRoot();
        cwd = Files.createDirectories(tmp.resolve("cwd"));
        cacheDir = tmp.resolve("cache/cvm-fde/aot");
        Path jar = repo.resolve("attestation-client/target/attestation-client.jar");
        assertTrue(Files.isRegularFile(jar), "attestation-client is packaged before boot-test runs: " + jar);
    }

    @Test
    void keygen_wholeCacheLifecycle_decidesByMeasurementAndLeavesCwdAndStdoutAlone() throws Exception {
        String expected = keygen(Map.of("CVMFDE_AOT", "0")).stdout();
        for (int i = 0; i < 3; i++) {    // 2 plain runs (the baseline), then the training run
            assertPlainRun(keygen(Map.of()), expected);
        }
        assertEquals(2, Files.readAllLines(only(".plain")).size(), "two plain runs measured");
        awaitCreate();
        assertTrue(exists(".new.aot") || exists(".off"), "the cache was written (or the key remembered): " + list());
        for (int i = 0; i < 4; i++) {    // 3 measured runs with the new cache decide; then it is used or not
            assertPlainRun(keygen(Map.of()), expected);
        }
        assertTrue(exists(".aot") ^ exists(".off"), "kept or dropped, one of the two: " + list());
        if (exists(".off")) {
            assertTrue(Files.readString(only(".off")).startsWith("no gain: "), Files.readString(only(".off")));
        } else {
            assertEquals(3, Files.readAllLines(only(".cached")).size());
        }
        assertFalse(exists(".new.aot"), list());
        assertNoCrashLog();
    }

    @Test
    void keygen_createCrashesWithClassLinkingOnly_retriedWithoutItSaidOnceCwdClean() throws Exception {
        Map<String, String> env = fakeJdk("linking");
        String expected = keygen(Map.of("CVMFDE_AOT", "0")).stdout();
        for (int i = 0; i < 3; i++) {
            assertPlainRun(keygen(env), expected);
        }
        awaitCreate();
        assertTrue(exists(".new.aot"), "the retry without AOT class linking wrote the cache: " + list());
        assertEquals(1, count("jdk-", ".no-class-linking"), "the JDK is remembered: " + list());
        assertEquals(1, count("hs_err_", ".log"), "the crash log is in the cache directory: " + list());

        Result told = keygen(env);
        assertEquals(0, told.exit(), told.stderr());
        assertEquals(expected, normalized(told.stdout()));
        assertEquals(1, told.stderr().lines().filter(l -> l.startsWith("cvm-fde: AOT cache: ")).count(), told.stderr());
        assertTrue(told.stderr().contains("without AOT class linking"), told.stderr());
        assertPlainRun(keygen(env), expected);   // said once
        assertTrue(Files.isDirectory(cwd) && isEmpty(cwd), "nothing in the user's directory: " + listOf(cwd));
    }

    @Test
    void keygen_createAlwaysCrashes_keyRememberedSaidOnceNeverRetried() throws Exception {
        Map<String, String> env = fakeJdk("always");
        String expected = keygen(Map.of("CVMFDE_AOT", "0")).stdout();
        for (int i = 0; i < 3; i++) {
            assertPlainRun(keygen(env), expected);
        }
        awaitCreate();
        assertTrue(exists(".off"), "the crash is remembered: " + list());
        assertTrue(Files.readString(only(".off")).contains("crashed"), Files.readString(only(".off")));
        assertFalse(exists(".new.aot") || exists(".aot"), list());
        assertEquals(2, count("hs_err_", ".log"), "both attempts crashed, logs in the cache directory: " + list());

        Result told = keygen(env);
        assertEquals(0, told.exit(), told.stderr());
        assertEquals(expected, normalized(told.stdout()));
        List<String> notes = told.stderr().lines().filter(l -> l.startsWith("cvm-fde: AOT cache: ")).toList();
        assertEquals(2, notes.size(), told.stderr());   // the fallback, then that the key is given up
        assertTrue(notes.get(1).contains("no AOT cache for this JDK and these jars"), notes.toString());
        for (int i = 0; i < 2; i++) {   // never tried again: no training run, no new crash, nothing said
            assertPlainRun(keygen(env), expected);
        }
        Thread.sleep(2000);   // a (wrong) background create would have crashed by now
        assertEquals(2, count("hs_err_", ".log"), list());
        assertEquals(0, containing(".conf."), "no training run: " + list());
        assertTrue(isEmpty(cwd), "nothing in the user's directory: " + listOf(cwd));
    }

    record Result(int exit, String stdout, String stderr) {}

    /** One {@code bin/attestation-client keygen} into a new directory outside cwd; stdout normalized. */
    private Result keygen(Map<String, String> env) throws Exception {
        Path out = tmp.resolve("keys-" + run++);
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/attestation-client").toString(), "keygen", "--out", out.toString())
                .directory(cwd.toFile())
                .redirectOutput(tmp.resolve("stdout").toFile())
                .redirectError(tmp.resolve("stderr").toFile());
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        pb.environment().remove("CVMFDE_AOT");
        pb.environment().remove("CVMFDE_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("bin/attestation-client keygen did not finish");
        }
        String stdout = Files.readString(tmp.resolve("stdout"), StandardCharsets.UTF_8).replace(out.toString(), "OUT");
        return new Result(p.exitValue(), normalized(stdout), Files.readString(tmp.resolve("stderr"), StandardCharsets.UTF_8));
    }

    private static String normalized(String stdout) {
        return KEY_ID.matcher(stdout).replaceAll("key id KID");
    }

    /** exit 0, stdout as without the cache, nothing on stderr, nothing in cwd */
    private void assertPlainRun(Result r, String expected) throws IOException {
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(expected, r.stdout());
        assertEquals("", r.stderr());
        assertTrue(isEmpty(cwd), "nothing in the user's directory: " + listOf(cwd));
    }

    /**
     * A JAVA_HOME whose bin/java runs the real one, except that {@code -XX:AOTMode=create} crashes
     * like a JVM does (crash log at -XX:ErrorFile, SIGABRT): always, or only with AOT class linking.
     */
    private Map<String, String> fakeJdk(String mode) throws IOException {
        Path real = Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath().getParent().getParent();
        Path home = Files.createDirectories(tmp.resolve("fake-jdk/bin"));
        Files.copy(real.resolve("release"), tmp.resolve("fake-jdk/release"));
        String script = """
                #!/usr/bin/env bash
                # a JVM that crashes while writing an AOT cache (LauncherAotCacheTest)
                args=" $* "
                if [[ $args == *" -XX:AOTMode=create "* ]] && [[ %s == always || $args != *" -XX:-AOTClassLinking "* ]]; then
                  for a in "$@"; do
                    if [[ $a == -XX:ErrorFile=* ]]; then
                      log=${a#-XX:ErrorFile=}
                      printf '# A fatal error has been detected by the Java Runtime Environment (test)\\n' >"${log//%%p/$$}"
                    fi
                  done
                  kill -ABRT $$
                fi
                exec %s "$@"
                """.formatted(mode, real.resolve("bin/java"));
        Path java = home.resolve("java");
        Files.writeString(java, script);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Map.of("JAVA_HOME", tmp.resolve("fake-jdk").toString());
    }

    /** waits until the background create has finished: no training config left */
    private void awaitCreate() throws Exception {
        Instant end = Instant.now().plus(CREATE_WAIT);
        while (containing(".conf.") > 0 || containing(".tmp.") > 0 || !(exists(".new.aot") || exists(".off"))) {
            if (Instant.now().isAfter(end)) {
                fail("the background create did not finish within " + CREATE_WAIT + ": " + list());
            }
            Thread.sleep(250);
        }
    }

    private boolean exists(String suffix) throws IOException {
        return count("attestation-client-keygen-", suffix) > 0;
    }

    private Path only(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(cacheDir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith("attestation-client-keygen-")
                    && p.getFileName().toString().endsWith(suffix)).toList();
            assertEquals(1, found.size(), suffix + " in " + list());
            return found.getFirst();
        }
    }

    /** files in the cache directory named prefix...suffix */
    private long count(String prefix, String suffix) throws IOException {
        return names().stream().filter(n -> n.startsWith(prefix) && n.endsWith(suffix)).count();
    }

    /** files in the cache directory whose name contains part */
    private long containing(String part) throws IOException {
        return names().stream().filter(n -> n.contains(part)).count();
    }

    private List<String> names() throws IOException {
        if (!Files.isDirectory(cacheDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private String list() throws IOException {
        return listOf(cacheDir);
    }

    private static String listOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "(no " + dir + ")";
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private void assertNoCrashLog() throws IOException {
        assertEquals(0, count("hs_err_", ".log"), "the real JVM did not crash for keygen: " + list());
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("bin/_launch"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("cannot find bin/_launch above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
