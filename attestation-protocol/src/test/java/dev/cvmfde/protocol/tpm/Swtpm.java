package dev.cvmfde.protocol.tpm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real software TPM for tests: {@code swtpm_setup --tpm2 --create-ek-cert --create-platform-cert}
 * with a private {@code swtpm_localca} CA under {@code dir}, then {@code swtpm socket} on 127.0.0.1
 * (TCG/mssim TCP framing, started with {@code startup-clear}). {@link #device()} is the
 * {@code tcp:HOST:PORT} the tpm provider takes; {@link #ekRoot()} the PEM file for
 * {@code --tpm-ek-root}. Missing tools fail with the Debian package to install.
 */
public final class Swtpm implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final int port;
    private final Path dir;

    private Swtpm(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Manufactures a TPM (EK, EK certificate, local CA) in {@code dir} and starts it. */
    public static Swtpm start(Path dir) throws IOException, InterruptedException {
        require("swtpm", "swtpm");
        require("swtpm_setup", "swtpm-tools");
        Path state = Files.createDirectories(dir.resolve("state"));
        Path ca = Files.createDirectories(dir.resolve("ca"));
        Path caConf = dir.resolve("localca.conf");
        Files.writeString(caConf, "statedir = " + ca + "\n"
                + "signingkey = " + ca.resolve("signkey.pem") + "\nissuercert = " + ca.resolve("issuercert.pem")
                + "\ncertserial = " + ca.resolve("certserial") + "\n");
        Path caOptions = dir.resolve("localca.options");
        Files.writeString(caOptions, "--platform-manufacturer cvm-fde-test\n--platform-version 2.1\n"
                + "--platform-model QEMU\n");
        Path setupConf = dir.resolve("swtpm_setup.conf");
        Files.writeString(setupConf, "create_certs_tool = " + which("swtpm_localca") + "\ncreate_certs_tool_config = "
                + caConf + "\ncreate_certs_tool_options = " + caOptions + "\nactive_pcr_banks = sha256\n");
        run(List.of("swtpm_setup", "--tpm2", "--tpmstate", state.toString(), "--config", setupConf.toString(),
                "--create-ek-cert", "--create-platform-cert", "--overwrite"), dir.resolve("swtpm_setup.log"));
        Files.writeString(dir.resolve("ek-root.pem"), Files.readString(ca.resolve("issuercert.pem"))
                + Files.readString(ca.resolve("swtpm-localca-rootca-cert.pem")));
        for (int attempt = 0;; attempt++) {
            int port = freePort();
            int ctrl = freePort();
            ProcessBuilder pb = new ProcessBuilder("swtpm", "socket", "--tpm2",
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + ctrl + ",bindaddr=127.0.0.1",
                    "--flags", "not-need-init,startup-clear", "--tpmstate", "dir=" + state)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile());
            Process p = pb.start();
            if (waitForPort(p, port)) {
                return new Swtpm(p, port, dir);
            }
            p.destroyForcibly();
            if (attempt >= 3) {
                throw new IOException("swtpm did not start (see " + dir.resolve("swtpm.log") + ")");
            }
        }
    }

    /** {@code tcp:127.0.0.1:PORT}: the provider's {@code --tpm-device}. */
    public String device() {
        return "tcp:127.0.0.1:" + port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The local CA's intermediate and root certificates (PEM), for {@code --tpm-ek-root}. */
    public Path ekRoot() {
        return dir.resolve("ek-root.pem");
    }

    /** The local CA's root certificate alone. */
    public Path caRoot() {
        return dir.resolve("ca").resolve("swtpm-localca-rootca-cert.pem");
    }

    private static boolean waitForPort(Process p, int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + Files.readString(log));
        }
    }

    /** Runs a tool and returns its output; fails with the output when it exits non-zero. */
    public static String runTool(List<String> command, Path workDir) throws IOException, InterruptedException {
        Path log = Files.createTempFile(workDir, "tool", ".out");
        Process p = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " timed out");
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** Fails with the Debian package when {@code tool} is not on the PATH. */
    public static void require(String tool, String debianPackage) {
        if (which(tool) == null) {
            throw new IllegalStateException(tool + " is not installed; install the Debian package " + debianPackage
                    + " (apt-get install -y " + debianPackage + ")");
        }
    }

    private static String which(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
