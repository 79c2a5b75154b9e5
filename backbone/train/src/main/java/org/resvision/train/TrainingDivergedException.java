package org.resvision.train;

/** A loss became NaN or infinite; the message names the iteration, the losses and the last good checkpoint. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a diverged run.
     *
     * @param message the iteration, the losses (or the parameter that stopped being finite) and the
     *     last good checkpoint
     */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
