package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.resvision.data.boxes.Boxes;
import org.resvision.nn.GradSafe;
import org.resvision.nn.TorchModule;

/**
 * torchvision's {@code RegionProposalNetwork}: the {@link RpnHead} over every FPN level, anchors,
 * and proposal selection ({@code filter_proposals}: top {@code preNmsTopN} logits per level,
 * decode, sigmoid, clip, drop boxes under 1e-3, NMS per level at {@code nmsThresh}, keep {@code
 * postNmsTopN} per image). Training adds the losses: anchors matched at 0.7 / 0.3 (low-quality
 * matches allowed), 256 sampled per image with half positive, BCE on objectness and smooth-L1
 * (beta 1/9, summed, divided by the sampled count) on deltas. Selection runs in Java on the
 * detached scores; losses are NDArray ops on the head's outputs.
 *
 * <p>Boxes are flat {@code float[]} of {@code x1, y1, x2, y2} in pixels of the resized, padded batch.
 * Thread-safety: as {@link FasterRcnn}: inference only reads (the settings, anchor generator, coder,
 * matcher and sampler are immutable), training is single-threaded.
 */
public final class RegionProposalNetwork extends TorchModule {

    /**
     * The RPN's settings, named after torchvision's constructor arguments.
     *
     * @param preNmsTopNTrain proposals kept per FPN level and image, by objectness, before NMS, in training
     * @param preNmsTopNTest the same in inference
     * @param postNmsTopNTrain proposals kept per image after NMS, best first, in training
     * @param postNmsTopNTest the same in inference
     * @param nmsThresh IoU above which NMS (per level) drops the weaker proposal
     * @param fgIouThresh anchors with IoU {@code >=} this to a ground-truth box are positives
     * @param bgIouThresh anchors whose best IoU is below this are negatives (in between: ignored)
     * @param batchSizePerImage anchors sampled per image for the losses
     * @param positiveFraction the largest fraction of positives among them
     * @param scoreThresh proposals with a sigmoid objectness below this are dropped before NMS
     */
    public record Settings(int preNmsTopNTrain, int preNmsTopNTest, int postNmsTopNTrain, int postNmsTopNTest, float nmsThresh,
            float fgIouThresh, float bgIouThresh, int batchSizePerImage, float positiveFraction, float scoreThresh) {
        /**
         * torchvision's defaults.
         *
         * @return 2000 / 1000 before NMS, 2000 / 1000 after (training / inference), NMS 0.7, IoU 0.7 / 0.3,
         *     256 anchors half positive, no score threshold
         */
        public static Settings defaults() {
            return new Settings(2000, 1000, 2000, 1000, 0.7f, 0.7f, 0.3f, 256, 0.5f, 0f);
        }
    }

    /**
     * What {@link #run} returns: proposals and their objectness per image, and the losses when training.
     *
     * @param proposals per image, its proposals (flat {@code x1, y1, x2, y2}, resized pixels), best first
     * @param scores per image, the proposals' sigmoid objectness, in the same order
     * @param losses {@code loss_objectness} and {@code loss_rpn_box_reg} (scalars) when training with targets,
     *     else null
     */
    public record Output(List<float[]> proposals, List<float[]> scores, Map<String, NDArray> losses) {}

    static final float MIN_SIZE = 1e-3f;

    private final RpnHead head;
    private final AnchorGenerator anchorGenerator;
    private final Settings settings;
    private final BoxCoder coder = BoxCoder.rpn();
    private final Matcher matcher;
    private final BalancedSampler sampler;

    /**
     * With a one-conv {@link RpnHead} (torchvision's v1).
     *
     * @param anchorGenerator the anchors; every level must have the same count per location
     * @param channels the FPN's channels
     * @param settings selection and training settings
     */
    public RegionProposalNetwork(AnchorGenerator anchorGenerator, int channels, Settings settings) {
        this(anchorGenerator, channels, 1, settings);
    }

    /**
     * With an {@link RpnHead} of {@code convDepth} shared convs (torchvision's {@code conv_depth}).
     *
     * @param anchorGenerator the anchors; every level must have the same count per location
     * @param channels the FPN's channels
     * @param convDepth shared 3x3 convs of the head, at least 1
     * @param settings selection and training settings
     * @throws IllegalArgumentException when {@code convDepth < 1}, or {@code fgIouThresh < bgIouThresh}
     * @throws IllegalStateException when the levels have different anchor counts per location
     */
    public RegionProposalNetwork(AnchorGenerator anchorGenerator, int channels, int convDepth, Settings settings) {
        this.anchorGenerator = anchorGenerator;
        this.settings = settings;
        head = register("head", new RpnHead(channels, anchorGenerator.anchorsPerLocation(), convDepth));
        matcher = new Matcher(settings.fgIouThresh(), settings.bgIouThresh(), true);
        sampler = new BalancedSampler(settings.batchSizePerImage(), settings.positiveFraction());
    }

    /**
     * The head ({@code rpn.head.*} parameters).
     *
     * @return the child block
     */
    public RpnHead head() {
        return head;
    }

    /**
     * The anchors for a padded batch of {@code padH x padW} with these feature maps.
     *
     * @param features the FPN levels, each [N, C, H_l, W_l] (only their shapes are read)
     * @param padH the padded batch's height in pixels
     * @param padW the padded batch's width in pixels
     * @param perLevel filled with the anchor count of each level; as long as {@code features}
     * @return flat {@code x1, y1, x2, y2} anchors in pixels, ordered level, y, x, anchor
     * @throws IllegalArgumentException when the level count differs from the anchor generator's
     */
    public float[] anchors(List<NDArray> features, int padH, int padW, int[] perLevel) {
        int[][] grids = new int[features.size()][];
        for (int l = 0; l < grids.length; l++) {
            Shape s = features.get(l).getShape();
            grids[l] = new int[] {(int) s.get(2), (int) s.get(3)};
        }
        return anchorGenerator.anchors(padH, padW, grids, perLevel);
    }

    /**
     * Runs the head over the levels, selects each image's proposals ({@link #select}) and, when
     * training with targets, computes the losses.
     *
     * @param ps the parameter store
     * @param features the FPN levels including {@code pool}
     * @param padH the padded batch's height in pixels
     * @param padW the padded batch's width in pixels
     * @param imageSizes per image {@code {h, w}} after the resize, before the padding (proposals are clipped to it)
     * @param targets ground truth per image (training), or null
     * @param training selects the training top-N settings and, with targets, the losses
     * @param rnd draws the anchors sampled for the losses; unused without targets (may be null then)
     * @return the proposals; the head's outputs are closed, the losses (if any) stay open for backward
     */
    public Output run(ParameterStore ps, List<NDArray> features, int padH, int padW, int[][] imageSizes, List<Target> targets,
            boolean training, Random rnd) {
        NDList out = head.forward(ps, new NDList(features), training);
        NDArray objectness = out.get(0);
        NDArray deltas = out.get(1);
        int[] perLevel = new int[features.size()];
        float[] anchors = anchors(features, padH, padW, perLevel);
        int n = imageSizes.length;
        int total = Boxes.count(anchors);
        float[] obj = objectness.toFloatArray();
        float[] del = deltas.toFloatArray();
        List<float[]> proposals = new ArrayList<>();
        List<float[]> scores = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] o = java.util.Arrays.copyOfRange(obj, i * total, (i + 1) * total);
            float[] d = java.util.Arrays.copyOfRange(del, 4 * i * total, 4 * (i + 1) * total);
            float[][] sel = select(o, d, anchors, perLevel, imageSizes[i], training);
            proposals.add(sel[0]);
            scores.add(sel[1]);
        }
        Map<String, NDArray> losses = null;
        if (training && targets != null) {
            losses = losses(objectness, deltas, anchors, targets, rnd);
        }
        out.close();
        return new Output(proposals, scores, losses);
    }

    /**
     * {@code filter_proposals} for one image from its logits and deltas over all anchors: {@code
     * {boxes, sigmoid scores}}, best first.
     *
     * @param logits the image's objectness logit per anchor
     * @param deltas the image's {@code (dx, dy, dw, dh)} per anchor, flat
     * @param anchors flat {@code x1, y1, x2, y2} anchors, as {@link #anchors} orders them
     * @param perLevel anchors per level, as {@link #anchors} counted them
     * @param imageSize the image's {@code {h, w}} after the resize: boxes are clipped to it
     * @param training selects the training or inference top-N settings
     * @return {@code {boxes, scores}}: at most {@code postNmsTopN} flat boxes in pixels and their
     *     probabilities, best first
     */
    public float[][] select(float[] logits, float[] deltas, float[] anchors, int[] perLevel, int[] imageSize, boolean training) {
        int preTop = training ? settings.preNmsTopNTrain() : settings.preNmsTopNTest();
        int postTop = training ? settings.postNmsTopNTrain() : settings.postNmsTopNTest();
        List<Integer> chosen = new ArrayList<>();
        int offset = 0;
        for (int count : perLevel) {
            int[] idx = new int[count];
            for (int k = 0; k < count; k++) {
                idx[k] = offset + k;
            }
            int[] ord = Nms.order(logits, idx);
            for (int k = 0; k < Math.min(preTop, count); k++) {
                chosen.add(ord[k]);
            }
            offset += count;
        }
        int m = chosen.size();
        float[] selAnchors = new float[4 * m];
        float[] selDeltas = new float[4 * m];
        float[] prob = new float[m];
        int[] level = new int[m];
        int[] levelOf = levelIndex(perLevel);
        for (int k = 0; k < m; k++) {
            int a = chosen.get(k);
            System.arraycopy(anchors, 4 * a, selAnchors, 4 * k, 4);
            System.arraycopy(deltas, 4 * a, selDeltas, 4 * k, 4);
            prob[k] = sigmoid(logits[a]);
            level[k] = levelOf[a];
        }
        float[] boxes = coder.decode(selDeltas, selAnchors, 1);
        Boxes.clip(boxes, imageSize[0], imageSize[1]);
        int[] keep = new int[m];
        int kept = 0;
        for (int k = 0; k < m; k++) {
            if (Boxes.bigEnough(boxes, k, MIN_SIZE) && prob[k] >= settings.scoreThresh()) {
                keep[kept++] = k;
            }
        }
        int[] nms = Nms.batched(boxes, prob, level, java.util.Arrays.copyOf(keep, kept), settings.nmsThresh());
        int[] top = java.util.Arrays.copyOf(nms, Math.min(postTop, nms.length));
        float[] s = new float[top.length];
        for (int k = 0; k < top.length; k++) {
            s[k] = prob[top[k]];
        }
        return new float[][] {Boxes.select(boxes, top), s};
    }

    private static int[] levelIndex(int[] perLevel) {
        int total = 0;
        for (int c : perLevel) {
            total += c;
        }
        int[] out = new int[total];
        int k = 0;
        for (int l = 0; l < perLevel.length; l++) {
            for (int j = 0; j < perLevel[l]; j++) {
                out[k++] = l;
            }
        }
        return out;
    }

    /** torch.sigmoid in float32. */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    private Map<String, NDArray> losses(NDArray objectness, NDArray deltas, float[] anchors, List<Target> targets, Random rnd) {
        int total = Boxes.count(anchors);
        List<Long> sampled = new ArrayList<>();
        List<Float> sampledLabels = new ArrayList<>();
        List<Long> posIdx = new ArrayList<>();
        List<Float> posTargets = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            int[] labels = new int[total];
            float[] matched = new float[4 * total];
            if (t.size() > 0) {
                float[] gtBoxes = t.boxes().toArray();
                int[] m = matcher.match(Boxes.iou(gtBoxes, anchors));
                for (int a = 0; a < total; a++) {
                    int g = Math.max(m[a], 0);
                    System.arraycopy(gtBoxes, 4 * g, matched, 4 * a, 4);
                    labels[a] = m[a] >= 0 ? 1 : m[a] == Matcher.BETWEEN ? -1 : 0;
                }
            }
            int[][] pn = sampler.sample(labels, rnd);
            if (pn[0].length > 0) {
                float[] reg = coder.encode(Boxes.select(matched, pn[0]), Boxes.select(anchors, pn[0]));
                for (int k = 0; k < pn[0].length; k++) {
                    long a = (long) i * total + pn[0][k];
                    for (int c = 0; c < 4; c++) {
                        posIdx.add(4 * a + c);
                        posTargets.add(reg[4 * k + c]);
                    }
                }
            }
            for (int[] part : pn) {
                for (int a : part) {
                    sampled.add((long) i * total + a);
                    sampledLabels.add((float) labels[a]);
                }
            }
        }
        NDManager m = objectness.getManager();
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDArray idx = GradSafe.longs(m, toLongs(sampled)); NDArray y = GradSafe.floats(m, toFloats(sampledLabels));
                NDArray flatObj = objectness.reshape(-1); NDArray picked = flatObj.take(idx)) {
            out.put("loss_objectness", Losses.bceWithLogits(picked, y));
        }
        if (posIdx.isEmpty()) {
            out.put("loss_rpn_box_reg", GradSafe.mul(deltas.sum(), 0f));
        } else {
            try (NDArray idx = GradSafe.longs(m, toLongs(posIdx)); NDArray y = GradSafe.floats(m, toFloats(posTargets));
                    NDArray flat = deltas.reshape(-1); NDArray picked = flat.take(idx); NDArray sum = Losses.smoothL1Sum(picked, y, 1f / 9)) {
                out.put("loss_rpn_box_reg", GradSafe.div(sum, sampled.size()));
            }
        }
        return out;
    }

    static long[] toLongs(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    static float[] toFloats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return head.forward(ps, inputs, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(inputShapes);
    }
}
