package dev.cvmfde.server;

import dev.cvmfde.server.internal.ServerLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Captures every record of the server's logger (java.util.logging, the System.Logger default). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(ServerLog.NAME);
    private final Level previous;
    private final SimpleFormatter formatter = new SimpleFormatter();
    final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(formatter.format(record));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }

    boolean any(String fragment) {
        return lines.stream().anyMatch(line -> line.contains(fragment));
    }
}
