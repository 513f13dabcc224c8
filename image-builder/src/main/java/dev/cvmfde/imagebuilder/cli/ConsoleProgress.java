package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.rootfs.ProgressListener;
import java.io.PrintWriter;

/**
 * A one-line progress bar on the terminal (stderr), redrawn at most every
 * {@value #REDRAW_MILLIS} ms. Silent when not on a terminal ({@code System.console()} is null)
 * or with {@code --quiet}.
 */
final class ConsoleProgress implements ProgressListener {
    static final long REDRAW_MILLIS = 200;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private String stage = "";
    private long lastDraw;
    private boolean drawn;

    ConsoleProgress(PrintWriter err, boolean quiet) {
        this.err = err;
        this.enabled = !quiet && System.console() != null;
    }

    @Override
    public synchronized void stage(String name) {
        stage = name;
        if (enabled) {
            finishLine();
            err.print(name + "...");
            err.flush();
            drawn = true;
        }
    }

    @Override
    public synchronized void bytes(long done, long total) {
        long now = System.currentTimeMillis();
        if (!enabled || total <= 0 || (now - lastDraw < REDRAW_MILLIS && done < total)) {
            return;
        }
        lastDraw = now;
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        err.printf("\r%-16s [%s%s] %3d%% %,d/%,d MiB", stage, "#".repeat(filled), " ".repeat(WIDTH - filled),
                100 * Math.min(done, total) / total, done >> 20, total >> 20);
        err.flush();
        drawn = true;
    }

    /** Ends the bar's line so later output starts on a fresh one. */
    synchronized void finishLine() {
        if (enabled && drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }
}
