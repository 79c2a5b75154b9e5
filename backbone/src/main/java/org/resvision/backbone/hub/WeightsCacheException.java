package org.resvision.backbone.hub;

import java.io.IOException;

/** A published checkpoint cannot be found, fetched or trusted; the message is one line for the user. */
public class WeightsCacheException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a one-line message.
     *
     * @param message what failed and what to do about it
     */
    public WeightsCacheException(String message) {
        super(message);
    }

    /**
     * An exception with a one-line message and the underlying failure.
     *
     * @param message what failed and what to do about it
     * @param cause the exception that caused it
     */
    public WeightsCacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
