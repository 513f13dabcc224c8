package dev.cvmfde.client.store;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster for tests (Debian's {@code postgresql} package): {@code initdb}
 * in a temp directory, {@code pg_ctl start} on 127.0.0.1 and a random port (its unix socket in
 * the same directory), trust authentication for the one user {@code cvmfde}, torn down by
 * {@link #close()}. PostgreSQL refuses to run as root, so under root the server runs as the
 * {@code postgres} (or {@code nobody}) user via {@code setpriv}, owning only the temp directory.
 * Public for the broker tests (two brokers sharing one PostgreSQL store).
 */
public final class PostgresCluster implements AutoCloseable {
    static final String USER = "cvmfde";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final Path bin;
    private final List<String> asUser;
    final int port;

    private PostgresCluster(Path dir, Path bin, List<String> asUser, int port) {
        this.dir = dir;
        this.bin = bin;
        this.asUser = asUser;
        this.port = port;
    }

    /** The newest installed server's bin directory, or null if PostgreSQL is not installed. */
    static Path serverBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString()
                            .replaceAll("\\D", "0")))).orElse(null);
        }
    }

    public static PostgresCluster start() throws Exception {
        Path bin = serverBin();
        if (bin == null) {
            throw new IllegalStateException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb); "
                    + "apt-get install postgresql (.ci/run installs it)");
        }
        Path dir = Files.createTempDirectory("cvmfde-pg-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        List<String> asUser = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            String user = run(List.of("id", "-u", "postgres"), null).isBlank() ? "nobody" : "postgres";
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.setOwner(dir, owner);
            asUser.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + run(List.of("id", "-g", user), null).strip(),
                    "--clear-groups", "--"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PostgresCluster c = new PostgresCluster(dir, bin, asUser, port);
        try {
            c.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "-A", "trust", "--no-sync", "-E", "UTF8"));
            c.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
                    "start"));
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void pg(List<String> command) throws Exception {
        List<String> full = new ArrayList<>(asUser);
        full.addAll(command);
        run(full, dir);
    }

    private static String run(List<String> command, Path cwd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            if (command.get(0).equals("id")) {
                return "";
            }
            throw new IOException(command + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /** A new empty database; its store spec. */
    public String newDatabase() throws Exception {
        String db = "store" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        return spec(db);
    }

    String spec(String db) {
        return "postgresql://127.0.0.1:" + port + "/" + db + "?user=" + USER;
    }

    /** A direct connection (autocommit) to {@code spec}'s database, for tests that look at or tamper with rows. */
    static Connection connect(String spec) throws Exception {
        return DriverManager.getConnection("jdbc:" + spec);
    }

    /** Stops the server at once (as a crash would), keeping its files: {@link #restart()} brings it back. */
    void stopImmediately() throws Exception {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
                "stop"));
    }

    void restart() throws Exception {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
                "start"));
    }

    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                stopImmediately();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
