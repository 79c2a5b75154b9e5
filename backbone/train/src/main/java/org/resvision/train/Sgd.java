package org.resvision.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.resvision.weights.StateDict;

/**
 * {@code torch.optim.SGD} with momentum and weight decay: {@code d = g + wd * w; buf = m * buf +
 * d} (the first step {@code buf = d}); {@code w -= lr * buf}. Decay can be skipped for norm
 * layers and biases (one-dimensional tensors), as detectron2's and torchvision's recipes allow.
 * Momentum buffers live in {@code manager} and are part of checkpoints.
 *
 * <p>Not thread-safe: {@link #step}, {@link #state} and {@link #load} share the buffer map without
 * synchronization and write the parameters in place; use it from the training thread only.
 */
public final class Sgd {

    private final Map<String, Parameter> params;
    private final float momentum;
    private final float weightDecay;
    private final boolean decayNormAndBias;
    private final NDManager manager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /**
     * An optimizer over {@code params}; no buffer exists before the first step.
     *
     * @param params the parameters by name (usually {@link org.resvision.nn.TorchModule#namedParameters()});
     *     kept, not copied; only those that require a gradient when {@link #step} runs are updated
     * @param momentum the momentum factor, 0 for plain SGD (no buffers); torchvision's recipes use 0.9
     * @param weightDecay the L2 factor {@code wd} added as {@code wd * w} to each gradient, 0 for none
     * @param decayNormAndBias {@code true} to decay every tensor (PyTorch's default), {@code false}
     *     to skip one-dimensional ones (norm weights and biases)
     * @param manager owns the momentum buffers; closing it frees them
     */
    public Sgd(Map<String, Parameter> params, float momentum, float weightDecay, boolean decayNormAndBias, NDManager manager) {
        this.params = params;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.decayNormAndBias = decayNormAndBias;
        this.manager = manager;
    }

    /**
     * One update of every parameter that has a gradient; gradients are zeroed afterwards.
     *
     * @param lr the learning rate of this step (see {@link LrSchedule#at})
     */
    public void step(float lr) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            NDArray w = p.getArray();
            boolean decay = weightDecay != 0 && (decayNormAndBias || w.getShape().dimension() > 1);
            try (NDArray g = w.getGradient()) {
                // every temporary is closed here: they would otherwise live in the model's
                // manager and grow with each step (a parameter-sized array per step)
                if (decay) {
                    try (NDArray wd = w.mul(weightDecay)) {
                        g.addi(wd); // d = g + wd * w, in the gradient's storage (zeroed below anyway)
                    }
                }
                NDArray buf = buffers.get(e.getKey());
                if (momentum != 0) {
                    if (buf == null) {
                        buf = g.duplicate();
                        buf.attach(manager);
                        buffers.put(e.getKey(), buf);
                    } else {
                        buf.muli(momentum).addi(g);
                    }
                    try (NDArray update = buf.mul(lr)) {
                        w.subi(update);
                    }
                } else {
                    try (NDArray update = g.mul(lr)) {
                        w.subi(update);
                    }
                }
                g.subi(g); // zero in place (PyTorch's zero_grad)
            }
        }
    }

    /**
     * The momentum buffers, keyed by parameter name (for checkpoints).
     *
     * @return a new dict holding the live buffers, not copies (the next step changes them, and
     *     they belong to this optimizer's manager); empty before the first step and with momentum 0
     */
    public StateDict state() {
        StateDict s = new StateDict();
        buffers.forEach(s::put);
        return s;
    }

    /**
     * Restores momentum buffers saved by {@link #state()}.
     *
     * @param state buffers by parameter name; each is duplicated into this optimizer's manager, and
     *     {@code state} keeps its own arrays. The current buffers are closed first; names are not
     *     checked against the parameters
     */
    public void load(StateDict state) {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        for (var e : state) {
            NDArray copy = e.getValue().duplicate();
            copy.attach(manager);
            buffers.put(e.getKey(), copy);
        }
    }
}
