package org.resvision.tools;

/** A command line that cannot be understood; printed as one line with exit code 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
