package org.resvision.backbone.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.resvision.nn.CpuQuirks;

/**
 * ResNet-50 with every stage asked to run channels-last (threshold 1 position), trained one
 * step: the same features and input gradient as NCHW. Elsewhere this checks that channels-last
 * changes no number; on a CPU with {@link CpuQuirks}' fault it checks that ResNet keeps every
 * stage NCHW whatever it is asked: there layer2's channels-last 1x1 128 -> 512 gave layer2 off
 * by half its size, and layer3's 256 -> 1024 killed the JVM with SIGFPE.
 */
class ChannelsLastStagesTest {

    private static final Set<String> STAGES = Set.of("layer1", "layer2", "layer3", "layer4");

    @Test
    void channelsLastStagesGiveNchwsFeaturesAndGradients() {
        List<float[]> nchw = run(Long.MAX_VALUE);
        List<float[]> channelsLast = run(1);
        assertEquals(nchw.size(), channelsLast.size());
        for (int i = 0; i < nchw.size(); i++) {
            float[] a = nchw.get(i);
            float[] b = channelsLast.get(i);
            assertEquals(a.length, b.length);
            double diff = 0;
            double norm = 0;
            for (int j = 0; j < a.length; j++) {
                diff = Math.max(diff, Math.abs(a[j] - b[j]));
                norm = Math.max(norm, Math.abs(a[j]));
            }
            assertTrue(norm > 0, "output " + i + " is all zeros");
            // 1e-3: the two layouts sum in other orders through 50 layers and training-mode BatchNorm;
            // the fault this guards against is off by half
            assertTrue(diff <= 1e-3 * norm, "output " + i + ": max |diff| " + diff + " against max |value| " + norm);
        }
    }

    @Test
    void theDefaultThresholdIsNeverOnFaultyCpus() {
        assertEquals(CpuQuirks.channelsLastConvolutionCrashes() ? Long.MAX_VALUE : 512, ResNet.DEFAULT_CHANNELS_LAST_MIN_POSITIONS);
    }

    /** layer1..layer4 (training-mode BatchNorm) and the input's gradient of their sum, as floats. */
    private static List<float[]> run(long channelsLastMinPositions) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            ResNet net = new ResNet(ResNetConfig.of("resnet50"));
            Shape in = new Shape(1, 3, 224, 224); // layer3 14x14, layer4 7x7: where the faulty kernel runs
            net.initialize(m, DataType.FLOAT32, in);
            net.setChannelsLastMinPositions(channelsLastMinPositions);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(in);
            x.setRequiresGradient(true);
            List<float[]> out = new ArrayList<>();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Map<String, NDArray> f = net.features(ps, x, true, STAGES);
                NDArray total = null;
                for (NDArray a : f.values()) {
                    out.add(a.toFloatArray());
                    NDArray s = a.mean();
                    total = total == null ? s : total.add(s);
                }
                gc.backward(total);
            }
            out.add(x.getGradient().toFloatArray());
            return out;
        }
    }
}
