package org.resvision.backbone.train;

/** A loss became NaN or infinite; the message names the iteration, the losses and the last good checkpoint. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
