package org.resvision.data.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Stacks arrays of different sizes by padding each to the largest along every axis: images
 * [3, H, W] are padded with zeros at the bottom/right (to a multiple of {@code divisor} in H and
 * W, as torchvision batches; only arrays of rank 3 or more are rounded up), boxes [N, 4] with
 * zeros and labels [N] with {@code -1} (so a padded object is recognisable); arrays of one shape
 * (an image's size [2]) are stacked as they are. {@code unbatchify} returns the padded slices.
 * Padded copies are made in each input array's manager, and the stacked batch in the first input's
 * (DJL's {@code stack}); inputs are not closed.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class PaddingBatchifier implements Batchifier {
    private static final long serialVersionUID = 1L;

    /** H and W of rank-3-or-more arrays are rounded up to a multiple of this; 1 or less: no rounding. */
    private final int divisor;
    /** The padding value of each field of the inputs, the last one repeated for further fields. */
    private final float[] fills;

    /**
     * Images: pad with 0 to a multiple of {@code divisor}.
     *
     * @param divisor the multiple H and W are rounded up to (torchvision's {@code size_divisible}, 32); 1 or
     *     less: pad only to the largest size
     * @return a batchifier that pads every field with 0
     */
    public static PaddingBatchifier images(int divisor) {
        return new PaddingBatchifier(divisor, 0f);
    }

    /**
     * Targets {@code [boxes, labels]}: boxes padded with 0, labels with -1 (marks padding).
     *
     * @return a batchifier padding field 0 with 0 and the other fields with -1, with no rounding
     */
    public static PaddingBatchifier targets() {
        return new PaddingBatchifier(1, 0f, -1f);
    }

    private PaddingBatchifier(int divisor, float... fills) {
        this.divisor = divisor;
        this.fills = fills;
    }

    @Override
    public NDList batchify(NDList[] inputs) {
        int fields = inputs[0].size();
        NDList out = new NDList(fields);
        for (int f = 0; f < fields; f++) {
            List<NDArray> arrays = new ArrayList<>();
            for (NDList in : inputs) {
                arrays.add(in.get(f));
            }
            out.add(stackPadded(arrays, fills[Math.min(f, fills.length - 1)]));
        }
        return out;
    }

    private NDArray stackPadded(List<NDArray> arrays, float value) {
        int dims = arrays.get(0).getShape().dimension();
        if (dims == 3 && value == 0f && divisor > 1) { // images: the padding the loader and the transforms use
            return org.resvision.data.transform.Transforms.padBatch(arrays, divisor);
        }
        long[] max = new long[dims];
        for (NDArray a : arrays) {
            for (int d = 0; d < dims; d++) {
                max[d] = Math.max(max[d], a.getShape().get(d));
            }
        }
        for (int d = dims - 2; d < dims && dims >= 3 && divisor > 1; d++) {
            max[d] = (max[d] + divisor - 1) / divisor * divisor;
        }
        NDList padded = new NDList();
        for (NDArray a : arrays) {
            if (a.getShape().equals(new Shape(max))) {
                padded.add(a);
                continue;
            }
            NDArray p = a.getManager().full(new Shape(max), value, a.getDataType());
            StringBuilder idx = new StringBuilder();
            for (int d = 0; d < dims; d++) {
                idx.append(d == 0 ? "" : ", ").append(":").append(a.getShape().get(d));
            }
            p.set(new NDIndex(idx.toString()), a);
            padded.add(p);
        }
        return NDArrays.stack(padded);
    }

    @Override
    public NDList[] unbatchify(NDList inputs) {
        int n = (int) inputs.get(0).getShape().get(0);
        NDList[] out = new NDList[n];
        for (int i = 0; i < n; i++) {
            out[i] = new NDList();
            for (NDArray a : inputs) {
                out[i].add(a.get(i));
            }
        }
        return out;
    }
}
