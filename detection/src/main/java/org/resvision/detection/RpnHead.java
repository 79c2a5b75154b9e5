package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.resvision.backbone.nn.Conv2dLayer;
import org.resvision.backbone.nn.ReluLayer;
import org.resvision.backbone.nn.TorchModule;
import org.resvision.backbone.nn.TorchSequential;

/**
 * torchvision's {@code RPNHead}: a shared 3x3 conv + ReLU ({@code conv.0.0}), then 1x1 convs for
 * objectness ({@code cls_logits}, A per location) and box deltas ({@code bbox_pred}, 4A); weights
 * N(0, 0.01), biases 0. Input: the FPN levels; output: objectness [N, total] and deltas [N,
 * total, 4] over all levels, ordered level, y, x, anchor (torchvision's {@code
 * concat_box_prediction_layers}).
 */
public final class RpnHead extends TorchModule {

    private static final Initializer NORMAL_001 = (m, shape, dt) -> m.randomNormal(0f, 0.01f, shape, dt);

    private final Conv2dLayer conv;
    private final Conv2dLayer cls;
    private final Conv2dLayer bbox;
    private final int anchors;

    public RpnHead(int channels, int anchors) {
        this.anchors = anchors;
        conv = conv(channels, channels, 3, 1);
        register("conv", new TorchSequential(new TorchSequential(conv, new ReluLayer())));
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
            try (NDArray c = conv.apply(ps, x, training); NDArray t = ai.djl.nn.Activation.relu(c)) {
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
