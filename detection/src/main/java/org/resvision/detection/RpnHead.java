package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.InplaceRelu;
import org.resvision.nn.ReluLayer;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's {@code RPNHead}: shared 3x3 convs + ReLU ({@code conv.0.0}, and with {@code
 * conv_depth} d > 1 also {@code conv.1.0} .. {@code conv.(d-1).0}, as in {@code
 * fasterrcnn_resnet50_fpn_v2}'s depth 2), then 1x1 convs for
 * objectness ({@code cls_logits}, A per location) and box deltas ({@code bbox_pred}, 4A); weights
 * N(0, 0.01), biases 0. Input: the FPN levels; output: objectness [N, total] and deltas [N,
 * total, 4] over all levels, ordered level, y, x, anchor (torchvision's {@code
 * concat_box_prediction_layers}).
 *
 * <p>Thread-safety: as {@link FasterRcnn}.
 */
public final class RpnHead extends TorchModule {

    private static final Initializer NORMAL_001 = (m, shape, dt) -> m.randomNormal(0f, 0.01f, shape, dt);

    private final List<Conv2dLayer> convs = new ArrayList<>();
    private final Conv2dLayer cls;
    private final Conv2dLayer bbox;
    private final int anchors;

    /**
     * torchvision's v1 head, one shared conv.
     *
     * @param channels the FPN's channels, in and out of the shared conv
     * @param anchors anchors per location
     */
    public RpnHead(int channels, int anchors) {
        this(channels, anchors, 1);
    }

    /**
     * torchvision's {@code RPNHead(in_channels, num_anchors, conv_depth)}.
     *
     * @param channels the FPN's channels, in and out of the shared convs
     * @param anchors anchors per location
     * @param convDepth shared 3x3 convs, at least 1 (2 in v2)
     * @throws IllegalArgumentException when {@code convDepth < 1}
     */
    public RpnHead(int channels, int anchors, int convDepth) {
        if (convDepth < 1) {
            throw new IllegalArgumentException("conv_depth " + convDepth + " must be >= 1");
        }
        this.anchors = anchors;
        List<TorchSequential> blocks = new ArrayList<>();
        for (int i = 0; i < convDepth; i++) {
            Conv2dLayer c = conv(channels, channels, 3, 1);
            convs.add(c);
            blocks.add(new TorchSequential(c, new ReluLayer()));
        }
        register("conv", new TorchSequential(blocks));
        cls = register("cls_logits", conv(channels, anchors, 1, 0));
        bbox = register("bbox_pred", conv(channels, 4 * anchors, 1, 0));
    }

    private static Conv2dLayer conv(int in, int out, int k, int pad) {
        return Conv2dLayer.builder(in, out, k).padding(pad).weightInit(NORMAL_001).biasInit(Initializer.ZEROS).build();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList obj = new NDList();
        NDList del = new NDList();
        for (NDArray x : inputs) {
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            try (NDArray t = shared(ps, x, training)) {
                try (NDArray logits = cls.apply(ps, t, training)) {
                    obj.add(logits.transpose(0, 2, 3, 1).reshape(n, h * w * anchors));
                }
                try (NDArray d = bbox.apply(ps, t, training); NDArray d5 = d.reshape(n, anchors, 4, h, w)) {
                    del.add(d5.transpose(0, 3, 4, 1, 2).reshape(n, h * w * anchors, 4));
                }
            }
        }
        NDArray objectness = obj.size() == 1 ? obj.get(0) : NDArrays.concat(obj, 1);
        NDArray deltas = del.size() == 1 ? del.get(0) : NDArrays.concat(del, 1);
        if (obj.size() > 1) {
            obj.close();
            del.close();
        }
        return new NDList(objectness, deltas);
    }

    /** The shared convs, each followed by ReLU. */
    private NDArray shared(ParameterStore ps, NDArray x, boolean training) {
        NDArray t = x;
        for (Conv2dLayer conv : convs) {
            try (NDArray c = conv.apply(ps, t, training)) {
                NDArray next = InplaceRelu.apply(c); // a convolution's output: no op saved it
                if (t != x) {
                    t.close();
                }
                t = next;
            }
        }
        return t;
    }

    /**
     * The shared convs' count.
     *
     * @return torchvision's {@code conv_depth}
     */
    public int convDepth() {
        return convs.size();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long total = 0;
        for (Shape s : inputShapes) {
            total += s.get(2) * s.get(3) * anchors;
        }
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, total), new Shape(n, total, 4)};
    }
}
