package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.Random;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.transform.Sample;
import org.resvision.eval.segmentation.ConfusionMatrix;

/** Runs an FCN over a segmentation source and fills the eval module's confusion matrix. */
public final class SegmentationEvaluation {

    private SegmentationEvaluation() {}

    /** Per-pixel argmax of {@code out} against each sample's map (255 ignored), one image at a time. */
    public static ConfusionMatrix evaluate(Fcn model, SampleSource source, NDManager manager) throws IOException {
        ConfusionMatrix cm = new ConfusionMatrix(model.config().numClasses());
        ParameterStore ps = new ParameterStore(manager, false);
        for (int i = 0; i < source.size(); i++) {
            try (NDManager m = manager.newSubManager()) {
                Sample s = source.load(i, new Random(0), m);
                NDList out = model.forward(ps, new NDList(s.image().expandDims(0)), false);
                NDArray pred = out.get(0).argMax(1).squeeze(0);
                cm.update(s.segMap().toType(DataType.INT32, false).toIntArray(), pred.toType(DataType.INT32, false).toIntArray());
            }
        }
        return cm;
    }
}
