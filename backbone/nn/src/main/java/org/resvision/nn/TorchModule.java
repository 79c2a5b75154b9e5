package org.resvision.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL {@link ai.djl.nn.Block} whose children and parameters carry torchvision's names.
 *
 * <p>DJL prefixes child names with a counter ({@code 01conv1}); this base class keeps its own
 * ordered map of {@code torch name -> child}, so {@link #namedParameters()} yields exactly the
 * keys of the equivalent PyTorch module's {@code state_dict()} (e.g. {@code
 * layer1.0.conv1.weight}). Every parameter of a {@code TorchModule} has its shape fixed at
 * construction, so initialization does not depend on the input shape.
 *
 * <p>Thread-safety (this class and the backbone's modules built on it): inference forward only
 * reads parameters, so one initialized model may serve several DJL Predictors, one Predictor per
 * thread (DJL's Predictor is not thread-safe). Training forward (BatchNorm updates its running
 * statistics in place), initialization, weight loading and {@link #setTrainable} change the module
 * without synchronization: do them on one thread, with no inference running at the same time.
 */
public abstract class TorchModule extends AbstractBlock {

    /**
     * The forward-pass parameter by which a caller hands its input over ({@code Boolean.TRUE}): the
     * block may then write into the input's storage outside autograd (a residual block adds into
     * its identity, {@link ResidualConvolution}). The caller still closes its handle and does not
     * read the input afterwards. {@link TorchSequential} passes it to every child after the first,
     * whose input is the previous child's output, and to its first child when it was passed to
     * the sequence itself.
     */
    public static final String INPUT_HANDED_OVER = "resvision.inputHandedOver";

    private final Map<String, Block> torchChildren = new LinkedHashMap<>();
    private final Map<String, Parameter> torchParameters = new LinkedHashMap<>();

    /**
     * Forward-pass parameters that hand the input over ({@link #INPUT_HANDED_OVER}).
     *
     * @return a new list holding that one entry
     */
    public static PairList<String, Object> inputHandedOver() {
        PairList<String, Object> p = new PairList<>(1);
        p.add(INPUT_HANDED_OVER, Boolean.TRUE);
        return p;
    }

    /**
     * Whether a forward pass's parameters hand the input over ({@link #INPUT_HANDED_OVER}).
     *
     * @param params the parameters given to {@code forward}, possibly null
     * @return {@code true} when they map {@link #INPUT_HANDED_OVER} to {@code Boolean.TRUE}
     */
    public static boolean isInputHandedOver(PairList<String, Object> params) {
        return params != null && Boolean.TRUE.equals(params.get(INPUT_HANDED_OVER));
    }

    /**
     * Registers a child module under its torchvision name.
     *
     * @param <B> the child's type, returned as is so that a field can be assigned in one step
     * @param name the child's segment of the state-dict key ({@code "conv1"}, {@code "layer1"},
     *     {@code "0"}), without dots
     * @param child the block; its parameters appear in {@link #namedParameters()} only if it is a
     *     {@code TorchModule} (any other block must have no parameters)
     * @return {@code child}
     * @throws IllegalArgumentException if this module already has a child named {@code name}
     */
    protected final <B extends Block> B register(String name, B child) {
        if (torchChildren.containsKey(name)) {
            throw new IllegalArgumentException("duplicate child name: " + name);
        }
        torchChildren.put(name, child);
        return addChildBlock(name, child);
    }

    /**
     * Registers a parameter or buffer under its torchvision name (the parameter's own name).
     *
     * @param parameter a parameter with its shape fixed ({@code optShape}); {@link Parameter#getName()}
     *     is the last segment of its state-dict key ({@code "weight"}, {@code "running_var"})
     * @return {@code parameter}
     */
    protected final Parameter registerParameter(Parameter parameter) {
        torchParameters.put(parameter.getName(), parameter);
        return addParameter(parameter);
    }

    /**
     * The direct children, by torchvision name, in registration order.
     *
     * @return an unmodifiable view (name -&gt; child block) of this module's own map
     */
    public final Map<String, Block> torchChildren() {
        return Collections.unmodifiableMap(torchChildren);
    }

    /**
     * All parameters and buffers below this module, keyed like PyTorch's {@code state_dict()}.
     *
     * @return a new map in state-dict order (this module's own parameters, then each child's,
     *     depth first) from dotted key to the module's live {@link Parameter} (not a copy: once
     *     initialized, its array is the one the module computes with); extra keys such as {@code
     *     num_batches_tracked} are not included (see {@link #extraStateKeys()})
     * @throws IllegalStateException if a child that is not a {@code TorchModule} has parameters
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : torchParameters.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Block> e : torchChildren.entrySet()) {
            if (e.getValue() instanceof TorchModule m) {
                m.collect(prefix + e.getKey() + ".", out);
            } else if (!e.getValue().getParameters().isEmpty()) {
                throw new IllegalStateException(
                        "child " + prefix + e.getKey() + " is not a TorchModule but has parameters");
            }
        }
    }

    /**
     * Keys that PyTorch keeps in the state dict but that carry no value this module uses (for
     * example BatchNorm's {@code num_batches_tracked}); loaders accept and savers write them.
     *
     * @return a new map from dotted key (as in {@link #namedParameters()}) to the value a saver
     *     writes, always {@code 0L}; empty when no module below has such keys
     */
    public Map<String, Long> extraStateKeys() {
        Map<String, Long> out = new LinkedHashMap<>();
        collectExtra("", out);
        return out;
    }

    private void collectExtra(String prefix, Map<String, Long> out) {
        for (String key : ownExtraStateKeys()) {
            out.put(prefix + key, 0L);
        }
        for (Map.Entry<String, Block> e : torchChildren.entrySet()) {
            if (e.getValue() instanceof TorchModule m) {
                m.collectExtra(prefix + e.getKey() + ".", out);
            }
        }
    }

    /**
     * This module's own extra state keys (none by default).
     *
     * @return keys relative to this module, without a prefix (e.g. {@code num_batches_tracked})
     */
    protected Iterable<String> ownExtraStateKeys() {
        return Collections.emptyList();
    }

    /**
     * Children are initialized with this module's input shapes: every {@code TorchModule}
     * parameter has a fixed shape, so the shapes are only recorded, never used for sizing.
     */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : torchChildren.values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }

    /**
     * Freezes (or unfreezes) every learnable parameter below this module; running statistics
     * never take gradients, and modules whose buffers are fixed by design (frozen BatchNorm)
     * ignore the call.
     *
     * @param trainable {@code true} to let gradients reach the weights and biases (DJL's {@code
     *     Parameter.freeze(false)}), {@code false} to freeze them
     */
    public void setTrainable(boolean trainable) {
        for (Parameter p : torchParameters.values()) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN
                    && p.getType() != Parameter.Type.RUNNING_VAR) {
                p.freeze(!trainable);
            }
        }
        for (Block child : torchChildren.values()) {
            if (child instanceof TorchModule m) {
                m.setTrainable(trainable);
            }
        }
    }
}
