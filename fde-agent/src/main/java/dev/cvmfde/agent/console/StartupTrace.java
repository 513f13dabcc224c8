package dev.cvmfde.agent.console;

/**
 * Start-up time stamps for measuring the guest runtime ({@code bench/guest-startup}): with the
 * environment variable {@value #ENV} set to {@code 1}, each {@link #mark} prints
 * {@code fde-agent: startup <phase> +<ms since main> epoch-ms <wall clock>} on standard error.
 * Off (the default) it prints nothing and costs one field read. Never given secrets.
 */
public final class StartupTrace {
    /** The switch: {@code CVMFDE_STARTUP_TRACE=1}. */
    public static final String ENV = "CVMFDE_STARTUP_TRACE";
    private static final boolean ON = "1".equals(System.getenv(ENV));
    private static final long T0 = System.nanoTime();

    private StartupTrace() {
    }

    /** Prints one stamp for {@code phase} when tracing is on. */
    public static void mark(String phase) {
        if (ON) {
            System.err.println(AgentConsole.MESSAGE_PREFIX + "startup " + phase + " +" + (System.nanoTime() - T0) / 1_000_000
                    + " epoch-ms " + System.currentTimeMillis());
        }
    }
}
