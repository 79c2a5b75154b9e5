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
 * torchvision's {@code RoIHeads} for boxes: {@link MultiScaleRoiAlign} pooling of the proposals,
 * {@code box_head} ({@link TwoMlpHead}) and {@code box_predictor} ({@link FastRcnnPredictor}).
 * Inference post-processing ({@code postprocess_detections}): class-specific decode (weights 10,
 * 10, 5, 5), softmax, clip, background dropped, scores strictly above {@code scoreThresh}, boxes
 * under 1e-2 dropped, NMS per class at {@code nmsThresh}, best {@code detectionsPerImg} kept.
 * Training: ground-truth boxes appended to the proposals, matched at 0.5 / 0.5, {@code
 * batchSizePerImage} sampled with {@code positiveFraction} positives; cross-entropy over the
 * sampled RoIs and smooth-L1 (beta 1/9, summed) over positives' class-specific deltas divided
 * by the sampled count. The box head may also be a {@link FastRcnnConvFcHead} (v2).
 *
 * <p>Boxes are flat {@code float[]} of {@code x1, y1, x2, y2} in pixels of the resized images.
 * Thread-safety: as {@link FasterRcnn}: inference only reads (settings, coder, matcher and sampler
 * are immutable), training is single-threaded.
 */
public final class RoiHeads extends TorchModule {

    /**
     * Settings, named after torchvision's {@code FasterRCNN} arguments.
     *
     * @param fgIouThresh proposals with IoU {@code >=} this to a ground-truth box are foreground
     * @param bgIouThresh proposals whose best IoU is below this are background (in between: ignored)
     * @param batchSizePerImage proposals sampled per image for the losses
     * @param positiveFraction the largest fraction of foreground among them
     * @param scoreThresh detections need a class score strictly above this
     * @param nmsThresh IoU above which the per-class NMS drops the weaker detection
     * @param detectionsPerImg the most detections kept per image
     */
    public record Settings(float fgIouThresh, float bgIouThresh, int batchSizePerImage, float positiveFraction, float scoreThresh,
            float nmsThresh, int detectionsPerImg) {
        /**
         * torchvision's defaults.
         *
         * @return IoU 0.5 / 0.5, 512 sampled with 25% foreground, score above 0.05, NMS 0.5, 100 detections
         */
        public static Settings defaults() {
            return new Settings(0.5f, 0.5f, 512, 0.25f, 0.05f, 0.5f, 100);
        }
    }

    static final float MIN_SIZE = 1e-2f;

    private final MultiScaleRoiAlign pooler;
    private final TorchModule boxHead;
    private final FastRcnnPredictor predictor;
    private final Settings settings;
    private final BoxCoder coder;
    private final Matcher matcher;
    private final BalancedSampler sampler;

    /**
     * With a {@link TwoMlpHead} (torchvision's v1).
     *
     * @param pooler the RoI pooling
     * @param channels the pooled features' channels (the FPN's)
     * @param representationSize the width of fc6 and fc7
     * @param numClasses classes including the background
     * @param coder the box coder ((10, 10, 5, 5) in torchvision)
     * @param settings sampling and post-processing settings
     */
    public RoiHeads(MultiScaleRoiAlign pooler, int channels, int representationSize, int numClasses, BoxCoder coder, Settings settings) {
        this(pooler, new TwoMlpHead(channels * pooler.outputSize() * pooler.outputSize(), representationSize), representationSize, numClasses,
                coder, settings);
    }

    /**
     * With another box head ({@link TwoMlpHead} or {@link FastRcnnConvFcHead}): pooled [R, C, S,
     * S] -> [R, representationSize].
     *
     * @param pooler the RoI pooling
     * @param boxHead the box head, registered as {@code box_head}
     * @param representationSize the box head's output width, the predictor's input
     * @param numClasses classes including the background
     * @param coder the box coder ((10, 10, 5, 5) in torchvision)
     * @param settings sampling and post-processing settings
     * @throws IllegalArgumentException when {@code bgIouThresh > fgIouThresh}
     */
    public RoiHeads(MultiScaleRoiAlign pooler, TorchModule boxHead, int representationSize, int numClasses, BoxCoder coder, Settings settings) {
        this.pooler = pooler;
        this.settings = settings;
        this.coder = coder;
        this.boxHead = register("box_head", boxHead);
        predictor = register("box_predictor", new FastRcnnPredictor(representationSize, numClasses));
        matcher = new Matcher(settings.fgIouThresh(), settings.bgIouThresh(), false);
        sampler = new BalancedSampler(settings.batchSizePerImage(), settings.positiveFraction());
    }

    /**
     * The box head ({@code box_head}).
     *
     * @return the child block: pooled [R, C, S, S] to [R, representationSize]
     */
    public TorchModule boxHead() {
        return boxHead;
    }

    /**
     * The RoI pooling (no parameters).
     *
     * @return the pooler given to the constructor
     */
    public MultiScaleRoiAlign pooler() {
        return pooler;
    }

    /**
     * The predictor's class count.
     *
     * @return classes including the background
     */
    public int numClasses() {
        return predictor.numClasses();
    }

    /**
     * Box head + predictor on pooled features: {@code [class logits, box regression]}.
     *
     * @param ps the parameter store
     * @param pooled [R, C, S, S] pooled features (R may be 0)
     * @param training whether norm and dropout layers run in training mode
     * @return [R, numClasses] logits and [R, 4 numClasses] class-specific deltas; the caller closes them
     */
    public NDList predict(ParameterStore ps, NDArray pooled, boolean training) {
        try (NDArray rep = boxHead.forward(ps, new NDList(pooled), training).singletonOrThrow()) {
            return predictor.forward(ps, new NDList(rep), training);
        }
    }

    /**
     * Detections per image, in the coordinates of the transformed images.
     *
     * @param ps the parameter store
     * @param features the FPN levels without {@code pool}, each [N, C, H_l, W_l]
     * @param proposals per image, its proposals (flat {@code x1, y1, x2, y2}, resized pixels)
     * @param imageSizes per image {@code {h, w}} after the resize, before the padding
     * @return per image, its detections after {@link #postprocess}; no NDArray stays open
     */
    public List<Detections> detect(ParameterStore ps, List<NDArray> features, List<float[]> proposals, int[][] imageSizes) {
        try (NDArray pooled = pooler.apply(features, proposals, imageSizes); NDList pred = predict(ps, pooled, false)) {
            return postprocess(pred.get(0).toFloatArray(), pred.get(1).toFloatArray(), proposals, imageSizes);
        }
    }

    /**
     * {@code postprocess_detections} on flat logits [R, K] and regression [R, 4K] (images concatenated).
     *
     * @param logits class logits, row-major [R, K], the images' proposals in order
     * @param regression class-specific deltas, row-major [R, 4K]
     * @param proposals per image, its proposals (flat, resized pixels); their counts sum to R
     * @param imageSizes per image {@code {h, w}} after the resize: boxes are clipped to it
     * @return per image, at most {@code detectionsPerImg} detections, best first, labels 1..K-1 (an empty
     *     {@link Detections} when none passes)
     */
    public List<Detections> postprocess(float[] logits, float[] regression, List<float[]> proposals, int[][] imageSizes) {
        int k = numClasses();
        List<Detections> out = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < proposals.size(); i++) {
            float[] props = proposals.get(i);
            int r = Boxes.count(props);
            float[] reg = java.util.Arrays.copyOfRange(regression, 4 * k * offset, 4 * k * (offset + r));
            float[] boxes = coder.decode(reg, props, k);
            Boxes.clip(boxes, imageSizes[i][0], imageSizes[i][1]);
            int candidates = r * (k - 1);
            float[] candBoxes = new float[4 * candidates];
            float[] candScores = new float[candidates];
            int[] candLabels = new int[candidates];
            int[] keep = new int[candidates];
            int kept = 0;
            for (int j = 0; j < r; j++) {
                float[] p = softmax(logits, (offset + j) * k, k);
                for (int c = 1; c < k; c++) {
                    int q = j * (k - 1) + c - 1;
                    System.arraycopy(boxes, 4 * (j * k + c), candBoxes, 4 * q, 4);
                    candScores[q] = p[c];
                    candLabels[q] = c;
                    if (p[c] > settings.scoreThresh() && Boxes.bigEnough(candBoxes, q, MIN_SIZE)) {
                        keep[kept++] = q;
                    }
                }
            }
            int[] nms = Nms.batched(candBoxes, candScores, candLabels, java.util.Arrays.copyOf(keep, kept), settings.nmsThresh());
            int[] top = java.util.Arrays.copyOf(nms, Math.min(nms.length, settings.detectionsPerImg()));
            float[] s = new float[top.length];
            int[] l = new int[top.length];
            for (int q = 0; q < top.length; q++) {
                s[q] = candScores[top[q]];
                l[q] = candLabels[top[q]];
            }
            out.add(new Detections(Boxes.of(Boxes.select(candBoxes, top)), s, l));
            offset += r;
        }
        return out;
    }

    /** Softmax of {@code k} logits from {@code off}, in float32 like torch (max subtracted). */
    static float[] softmax(float[] logits, int off, int k) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, logits[off + c]);
        }
        float[] p = new float[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            p[c] = (float) Math.exp(logits[off + c] - max);
            sum += p[c];
        }
        float s = (float) sum;
        for (int c = 0; c < k; c++) {
            p[c] /= s;
        }
        return p;
    }

    /**
     * The training losses {@code loss_classifier} and {@code loss_box_reg}.
     *
     * @param ps the parameter store
     * @param features the FPN levels without {@code pool}, each [N, C, H_l, W_l]
     * @param proposals per image, the RPN's proposals (the ground-truth boxes join them, in a copy)
     * @param imageSizes per image {@code {h, w}} after the resize, before the padding
     * @param targets per image its boxes (resized pixels) and labels 1..K-1
     * @param rnd draws the sampled proposals
     * @return the two scalar losses by name, open for backward
     */
    public Map<String, NDArray> losses(ParameterStore ps, List<NDArray> features, List<float[]> proposals, int[][] imageSizes,
            List<Target> targets, Random rnd) {
        List<float[]> sampledBoxes = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        List<Long> posIdx = new ArrayList<>();
        List<Float> posTargets = new ArrayList<>();
        int k = numClasses();
        int row = 0;
        for (int i = 0; i < proposals.size(); i++) {
            Target t = targets.get(i);
            float[] gtBoxes = t.boxes().toArray();
            float[] props = Boxes.concat(proposals.get(i), gtBoxes);
            int n = Boxes.count(props);
            int[] lab = new int[n];
            int[] gt = new int[n];
            if (t.size() > 0) {
                int[] m = matcher.match(Boxes.iou(gtBoxes, props));
                for (int j = 0; j < n; j++) {
                    gt[j] = Math.max(m[j], 0);
                    lab[j] = m[j] >= 0 ? t.labels()[m[j]] : m[j] == Matcher.BETWEEN ? -1 : 0;
                }
            }
            int[][] pn = sampler.sample(lab, rnd);
            int[] chosen = new int[pn[0].length + pn[1].length];
            System.arraycopy(pn[0], 0, chosen, 0, pn[0].length);
            System.arraycopy(pn[1], 0, chosen, pn[0].length, pn[1].length);
            float[] boxes = Boxes.select(props, chosen);
            sampledBoxes.add(boxes);
            if (pn[0].length > 0) {
                int[] g = new int[pn[0].length];
                for (int q = 0; q < g.length; q++) {
                    g[q] = gt[pn[0][q]];
                }
                float[] reg = coder.encode(Boxes.select(gtBoxes, g), Boxes.select(props, pn[0]));
                for (int q = 0; q < pn[0].length; q++) {
                    int c = lab[pn[0][q]];
                    for (int d = 0; d < 4; d++) {
                        posIdx.add((long) (row + q) * 4 * k + 4L * c + d);
                        posTargets.add(reg[4 * q + d]);
                    }
                }
            }
            for (int j : chosen) {
                labels.add((long) Math.max(lab[j], 0));
            }
            row += chosen.length;
        }
        NDManager m = features.get(0).getManager();
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDArray pooled = pooler.apply(features, sampledBoxes, imageSizes); NDList pred = predict(ps, pooled, true);
                NDArray y = GradSafe.longs(m, RegionProposalNetwork.toLongs(labels))) {
            out.put("loss_classifier", Losses.crossEntropy(pred.get(0), y));
            if (posIdx.isEmpty()) {
                out.put("loss_box_reg", GradSafe.mul(pred.get(1).sum(), 0f));
            } else {
                try (NDArray idx = GradSafe.longs(m, RegionProposalNetwork.toLongs(posIdx)); NDArray tg = GradSafe.floats(m, RegionProposalNetwork.toFloats(posTargets));
                        NDArray flat = pred.get(1).reshape(-1); NDArray picked = flat.take(idx); NDArray sum = Losses.smoothL1Sum(picked, tg, 1f / 9)) {
                    out.put("loss_box_reg", GradSafe.div(sum, labels.size()));
                }
            }
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return predict(ps, inputs.singletonOrThrow(), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return predictor.getOutputShapes(boxHead.getOutputShapes(inputShapes));
    }
}
