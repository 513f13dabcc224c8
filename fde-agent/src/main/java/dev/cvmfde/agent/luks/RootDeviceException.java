package dev.cvmfde.agent.luks;

/** The root volume could not be found by its LUKS UUID (none, or more than one). */
public final class RootDeviceException extends Exception {
    public RootDeviceException(String message) {
        super(message);
    }
}
