package dev.cvmfde.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The build's JUnit timeouts (the surefire configurationParameters in the parent pom) reach
 * JUnit, and in the configured thread mode they fail a test stuck in a socket read, the hang a
 * protocol test is most likely to hit (a platform thread's socket read ignores interrupts).
 */
class TimeoutConfigurationTest {
    static final String DEFAULT_TIMEOUT = "junit.jupiter.execution.timeout.default";
    static final String THREAD_MODE = "junit.jupiter.execution.timeout.thread.mode.default";
    /** Generous for a loaded CI machine; the long tests carry their own, longer @Timeout. */
    static final Duration MAX_DEFAULT = Duration.ofMinutes(10);

    private static final Map<String, Optional<String>> RUN = new HashMap<>();

    @RegisterExtension
    static final BeforeAllCallback CAPTURE = context -> {
        for (String key : new String[] {DEFAULT_TIMEOUT, THREAD_MODE}) {
            RUN.put(key, context.getConfigurationParameter(key));
        }
    };

    @Test
    void buildConfiguration_defaultTimeout_setAndGenerous() {
        String value = RUN.get(DEFAULT_TIMEOUT).orElseThrow(() -> new AssertionError(
                DEFAULT_TIMEOUT + " is not set: a hanging test would block the build (see the parent pom)"));
        Duration timeout = parse(value);
        assertTrue(timeout.compareTo(Duration.ofMinutes(1)) >= 0 && timeout.compareTo(MAX_DEFAULT) <= 0,
                DEFAULT_TIMEOUT + " is " + value + "; 1 to 10 minutes is expected");
        assertEquals(Optional.of("SEPARATE_THREAD"), RUN.get(THREAD_MODE), THREAD_MODE);
    }

    @Test
    void buildThreadMode_testHangsInSocketRead_failsWithTimeout() throws Exception {
        Map<String, String> parameters = new HashMap<>();
        parameters.put(THREAD_MODE, RUN.get(THREAD_MODE).orElse("SAME_THREAD"));
        parameters.put(DEFAULT_TIMEOUT, "1 s");
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        long started = System.nanoTime();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HangsInSocketRead.server = (InetSocketAddress) silent.getLocalSocketAddress();
            launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(HangsInSocketRead.class))
                    .configurationParameters(parameters).build(), listener);
        } finally {
            Socket stuck = HangsInSocketRead.client;
            if (stuck != null) {
                stuck.close();
            }
        }
        TestExecutionSummary summary = listener.getSummary();
        assertEquals(1, summary.getTestsFailedCount(), "the hanging test did not fail");
        assertInstanceOf(TimeoutException.class, summary.getFailures().getFirst().getException());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos(), "the timeout took too long");
    }

    /** JUnit's own format: a number and an optional unit (ns, μs, ms, s, m, h, d). */
    private static Duration parse(String value) {
        String[] parts = value.trim().split("\\s+");
        long n = Long.parseLong(parts[0]);
        String unit = parts.length > 1 ? parts[1] : "s";
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new AssertionError("unexpected unit in " + DEFAULT_TIMEOUT + " = " + value);
        };
    }

    /** Run only through the launcher above (surefire skips nested classes). */
    static class HangsInSocketRead {
        static final Duration BACKSTOP = Duration.ofSeconds(60);
        static volatile InetSocketAddress server;
        static volatile Socket client;

        @Test
        void readsFromAServerThatNeverAnswers() throws IOException {
            client = new Socket(server.getAddress(), server.getPort());
            // a backstop, so that a thread mode that cannot stop the read still ends (and fails the check of time)
            client.setSoTimeout((int) BACKSTOP.toMillis());
            client.getInputStream().read();
        }
    }
}
