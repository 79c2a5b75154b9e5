package org.resvision.detection;

import org.resvision.data.boxes.Boxes;

/**
 * torchvision's {@code BoxCoder}: box deltas {@code (dx, dy, dw, dh)} relative to reference boxes,
 * divided by {@code weights} ((1, 1, 1, 1) in the RPN, (10, 10, 5, 5) in the box head), with
 * {@code dw, dh} clamped at {@code log(1000 / 16)} when decoding. float32 arithmetic in
 * torchvision's order. Immutable; safe to share between threads.
 */
public final class BoxCoder {

    /** {@code math.log(1000.0 / 16)}, as the float32 torch compares against. */
    public static final float DEFAULT_CLIP = (float) Math.log(1000.0 / 16);

    private final float wx;
    private final float wy;
    private final float ww;
    private final float wh;
    private final float clip;

    /**
     * A coder with these weights and torchvision's clamp ({@link #DEFAULT_CLIP}).
     *
     * @param wx weight of {@code dx}
     * @param wy weight of {@code dy}
     * @param ww weight of {@code dw}
     * @param wh weight of {@code dh}
     */
    public BoxCoder(float wx, float wy, float ww, float wh) {
        this.wx = wx;
        this.wy = wy;
        this.ww = ww;
        this.wh = wh;
        this.clip = DEFAULT_CLIP;
    }

    /**
     * The RPN's coder.
     *
     * @return weights (1, 1, 1, 1)
     */
    public static BoxCoder rpn() {
        return new BoxCoder(1, 1, 1, 1);
    }

    /**
     * The box head's coder (torchvision's default {@code bbox_reg_weights}).
     *
     * @return weights (10, 10, 5, 5)
     */
    public static BoxCoder roiHeads() {
        return new BoxCoder(10, 10, 5, 5);
    }

    /**
     * {@code decode_single}: box {@code i * classes + c} of the result applies deltas {@code
     * deltas[4 * (i * classes + c)]} ... to reference box {@code i} for each of {@code classes} sets,
     * so the output holds {@code count(ref) * classes} boxes (reference-major, class-minor).
     *
     * @param deltas {@code (dx, dy, dw, dh)} per reference box and class, flat, {@code 4 * count(ref) * classes}
     * @param ref flat {@code x1, y1, x2, y2} reference boxes (anchors or proposals)
     * @param classes delta sets per reference box (1 in the RPN)
     * @return a new flat array of the decoded boxes, not clipped
     */
    public float[] decode(float[] deltas, float[] ref, int classes) {
        int n = Boxes.count(ref);
        float[] out = new float[n * classes * 4];
        for (int i = 0; i < n; i++) {
            float w = ref[4 * i + 2] - ref[4 * i];
            float h = ref[4 * i + 3] - ref[4 * i + 1];
            float cx = ref[4 * i] + 0.5f * w;
            float cy = ref[4 * i + 1] + 0.5f * h;
            for (int c = 0; c < classes; c++) {
                int o = 4 * (i * classes + c);
                float dx = deltas[o] / wx;
                float dy = deltas[o + 1] / wy;
                float dw = Math.min(deltas[o + 2] / ww, clip);
                float dh = Math.min(deltas[o + 3] / wh, clip);
                float pcx = dx * w + cx;
                float pcy = dy * h + cy;
                float pw = (float) Math.exp(dw) * w;
                float ph = (float) Math.exp(dh) * h;
                float hw = 0.5f * pw;
                float hh = 0.5f * ph;
                out[o] = pcx - hw;
                out[o + 1] = pcy - hh;
                out[o + 2] = pcx + hw;
                out[o + 3] = pcy + hh;
            }
        }
        return out;
    }

    /**
     * {@code encode_single}: the deltas that take each {@code ref} box to its {@code target} box.
     *
     * @param target flat boxes, one per reference box
     * @param ref flat reference boxes with positive width and height
     * @return a new flat array of {@code (dx, dy, dw, dh)}, weighted
     */
    public float[] encode(float[] target, float[] ref) {
        int n = Boxes.count(ref);
        float[] out = new float[n * 4];
        for (int i = 0; i < n; i++) {
            float ew = ref[4 * i + 2] - ref[4 * i];
            float eh = ref[4 * i + 3] - ref[4 * i + 1];
            float ecx = ref[4 * i] + 0.5f * ew;
            float ecy = ref[4 * i + 1] + 0.5f * eh;
            float gw = target[4 * i + 2] - target[4 * i];
            float gh = target[4 * i + 3] - target[4 * i + 1];
            float gcx = target[4 * i] + 0.5f * gw;
            float gcy = target[4 * i + 1] + 0.5f * gh;
            out[4 * i] = wx * (gcx - ecx) / ew;
            out[4 * i + 1] = wy * (gcy - ecy) / eh;
            out[4 * i + 2] = ww * (float) Math.log(gw / ew);
            out[4 * i + 3] = wh * (float) Math.log(gh / eh);
        }
        return out;
    }
}
