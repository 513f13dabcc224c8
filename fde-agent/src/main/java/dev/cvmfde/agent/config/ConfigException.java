package dev.cvmfde.agent.config;

/** The agent's configuration (file or kernel command line) is missing or wrong; the message names the setting. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
