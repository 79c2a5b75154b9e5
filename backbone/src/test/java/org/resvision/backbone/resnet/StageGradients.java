package org.resvision.backbone.resnet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One recorded training pass of a ResNet for the accuracy tests that compare float32 with float64. */
final class StageGradients {

    private StageGradients() {}

    /**
     * The stages' values, then the input's gradient of the sum of their means, as float64.
     *
     * @param net the network
     * @param ps its parameter store
     * @param x the input; its gradient is set here
     * @param stages the stages to return, in the network's order
     * @return one array per stage, then the input's gradient
     */
    static List<double[]> run(ResNet net, ParameterStore ps, NDArray x, Set<String> stages) {
        x.setRequiresGradient(true);
        List<double[]> out = new ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Map<String, NDArray> f = net.features(ps, x, true, stages);
            NDArray total = null;
            for (NDArray a : f.values()) {
                out.add(a.toType(DataType.FLOAT64, false).toDoubleArray());
                NDArray s = a.mean();
                total = total == null ? s : total.add(s);
            }
            gc.backward(total);
        }
        out.add(x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
        return out;
    }
}
