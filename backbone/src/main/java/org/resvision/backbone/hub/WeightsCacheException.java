package org.resvision.backbone.hub;

import java.io.IOException;

/** A published checkpoint cannot be found, fetched or trusted; the message is one line for the user. */
public class WeightsCacheException extends IOException {

    private static final long serialVersionUID = 1L;

    public WeightsCacheException(String message) {
        super(message);
    }

    public WeightsCacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
