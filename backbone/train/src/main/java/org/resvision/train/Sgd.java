package org.resvision.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.resvision.nn.TorchScriptOp;
import org.resvision.weights.StateDict;

/**
 * {@code torch.optim.SGD} with momentum and weight decay: {@code d = g + wd * w; buf = m * buf +
 * d} (the first step {@code buf = d}); {@code w -= lr * buf}. Decay can be skipped for norm
 * layers and biases (one-dimensional tensors), as detectron2's and torchvision's recipes allow.
 * Momentum buffers live in {@code manager} and are part of checkpoints.
 *
 * <p>On PyTorch arrays each parameter's update is one libtorch call that works in place, as
 * torch.optim.SGD's loop does ({@code g.add_(w, alpha=wd); buf.mul_(m).add_(g); w.add_(buf,
 * alpha=-lr); g.zero_()}): no temporaries, where DJL's ops would allocate two parameter-sized
 * arrays per parameter and step (FCN-ResNet50's head convolution alone is 38 MB) and make seven
 * calls ({@code -Dresvision.sgdOp=false}: DJL's ops).
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
    private final boolean fused;

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
        this(params, momentum, weightDecay, decayNormAndBias, manager, true);
    }

    /** The same, with {@code fused = false} taking DJL's ops whatever the arrays (for tests). */
    Sgd(Map<String, Parameter> params, float momentum, float weightDecay, boolean decayNormAndBias, NDManager manager, boolean fused) {
        this.fused = fused;
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
        try (NDManager scratch = manager.newSubManager()) {
            // lr, weight decay, momentum: with and without the decay (see decayNormAndBias)
            NDArray withDecay = scratch.create(new float[] {lr, weightDecay, momentum});
            NDArray noDecay = scratch.create(new float[] {lr, 0f, momentum});
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                Parameter p = e.getValue();
                if (!p.requiresGradient()) {
                    continue;
                }
                NDArray w = p.getArray();
                boolean decay = weightDecay != 0 && (decayNormAndBias || w.getShape().dimension() > 1);
                try (NDArray g = w.getGradient()) {
                    NDArray buf = buffers.get(e.getKey());
                    if (momentum != 0 && buf == null) {
                        // torch starts the buffer at d; 0 * m + d is d exactly
                        buf = w.zerosLike();
                        buf.attach(manager);
                        buffers.put(e.getKey(), buf);
                    }
                    TorchScriptOp op = fused && TorchScriptOp.pytorch(w) && TorchScriptOp.pytorch(g) ? Holder.OP : null;
                    if (op != null) {
                        op.call(w, g, buf == null ? g : buf, decay ? withDecay : noDecay).close();
                    } else {
                        update(w, g, buf, lr, decay);
                    }
                }
            }
        }
    }

    /** DJL's ops for one parameter: every temporary closed here (they would otherwise live in the model's manager). */
    private void update(NDArray w, NDArray g, NDArray buf, float lr, boolean decay) {
        if (decay) {
            try (NDArray wd = w.mul(weightDecay)) {
                g.addi(wd); // d = g + wd * w, in the gradient's storage (zeroed below anyway)
            }
        }
        if (buf != null) {
            buf.muli(momentum).addi(g);
        }
        try (NDArray update = (buf != null ? buf : g).mul(lr)) {
            w.subi(update);
        }
        g.subi(g); // zero in place (PyTorch's zero_grad)
    }

    /** Whether the one-call update loaded (for tests). */
    static boolean opLoaded() {
        return Holder.OP != null;
    }

    /** One parameter's update in place; {@code buf} is {@code g} itself when momentum is 0. */
    private static final class Holder {
        static final TorchScriptOp OP = TorchScriptOp.load("SgdStep", """
                  def forward(self: __torch__.SgdStep, w: Tensor, g: Tensor, buf: Tensor, hp: Tensor) -> Tensor:
                    lr = float(torch.select(hp, 0, 0))
                    wd = float(torch.select(hp, 0, 1))
                    m = float(torch.select(hp, 0, 2))
                    if wd != 0.:
                      g0 = torch.add_(g, w, alpha=wd)
                    else:
                      pass
                    if m != 0.:
                      b0 = torch.add_(torch.mul_(buf, m), g)
                      w0 = torch.add_(w, buf, alpha=torch.neg(lr))
                    else:
                      w1 = torch.add_(w, g, alpha=torch.neg(lr))
                    g1 = torch.zero_(g)
                    return hp
                """, "resvision.sgdOp");
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
