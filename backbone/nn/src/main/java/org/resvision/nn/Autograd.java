package org.resvision.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Whether the current thread records operations for a backward pass, and {@code torch.no_grad()}.
 *
 * <p>Why not {@code NDArray.hasGradient()}: with DJL's PyTorch engine it is true only for arrays
 * marked with {@code setRequiresGradient} (leaves such as parameters); the result of an op on them
 * reports false even while autograd is recording it, so it cannot tell whether an op's result will
 * need a gradient. libtorch's grad mode can: DJL turns it off on the thread that starts the engine
 * and on for the life of a {@code GradientCollector}, and libtorch turns it on for every new thread.
 */
public final class Autograd {

    private Autograd() {}

    /**
     * True when ops on this thread are recorded for backward (any engine but PyTorch: assumed).
     *
     * @return libtorch's grad mode of the calling thread (thread-local: each thread has its own);
     *     always {@code true} on an engine other than PyTorch
     */
    public static boolean isRecording() {
        return !isPyTorch() || JniUtils.isGradMode();
    }

    /**
     * Stops recording on this thread until the scope is closed, which restores the previous
     * state: inference entry points use it so that a call from any thread (a new thread records by
     * default) builds no graph.
     *
     * @return a scope to close on the same thread (grad mode is thread-local), best in a
     *     try-with-resources: closing it turns recording back on only if it was on when {@code
     *     noGrad()} was called, and closing it twice is harmless; on an engine other than PyTorch
     *     both the call and the close do nothing
     */
    public static Scope noGrad() {
        if (!isPyTorch()) {
            return () -> {};
        }
        boolean before = JniUtils.isGradMode();
        if (before) {
            JniUtils.setGradMode(false);
        }
        return () -> {
            if (before) {
                JniUtils.setGradMode(true);
            }
        };
    }

    private static boolean isPyTorch() {
        return "PyTorch".equals(Engine.getInstance().getEngineName());
    }

    /** A scope whose close cannot fail. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
