package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.data.boxes.Boxes;
import org.resvision.nn.Autograd;
import org.resvision.nn.TorchModule;

/**
 * torchvision's {@code FasterRCNN}: {@code backbone} (a {@link BackboneWithFpn}), {@code rpn}
 * ({@link RegionProposalNetwork}) and {@code roi_heads} ({@link RoiHeads}), given to the
 * constructor as torchvision's model takes them, with its {@link DetectionTransform} (torchvision's
 * {@code GeneralizedRCNNTransform}, which has no parameters). Parameter names are torchvision's
 * state-dict keys, so its checkpoints load unchanged. The presets are named builders ({@link
 * #resnet50Fpn}, {@link #resnet50FpnV2}, {@link #resnet18Fpn}); {@link #of(FasterRcnnConfig)}
 * builds any config's. {@link #predict} runs images of any sizes through the transform and gives
 * detections in their pixels; {@link #detect} and {@link #losses} work on batches already through
 * the transform.
 *
 * <p>Thread-safety: inference ({@link #predict}, {@link #detect}, DJL's inference forward) only reads
 * parameters, so one initialized model may serve several DJL Predictors, one Predictor per thread
 * (DJL's Predictor is not thread-safe), or several threads calling {@link #detect} with a {@code
 * ParameterStore} each. Training ({@link #losses}, DJL's training forward, which also draws from
 * one lazily created {@code Random}) is single-threaded, with no inference running at the same time.
 */
public final class FasterRcnn extends TorchModule {

    private final BackboneWithFpn backbone;
    private final RegionProposalNetwork rpn;
    private final RoiHeads roiHeads;
    private final DetectionTransform transform;
    /** Seeds the samplers of training through DJL's {@code Trainer} ({@link #withSamplerSeed}). */
    private long samplerSeed;

    /**
     * A model of these parts, uninitialised (call {@link #init} or load weights).
     *
     * @param backbone the body with its FPN: five feature levels of one channel count, strides 4 to 64
     * @param rpn the region proposal network over the backbone's levels (its head of the FPN's channels)
     * @param roiHeads the box head and predictor over the first four levels
     * @param transform normalises, resizes and pads the images ({@link #predict}, the translators, the
     *     training and evaluation sources)
     */
    public FasterRcnn(BackboneWithFpn backbone, RegionProposalNetwork rpn, RoiHeads roiHeads, DetectionTransform transform) {
        this.backbone = register("backbone", backbone);
        this.rpn = register("rpn", rpn);
        this.roiHeads = register("roi_heads", roiHeads);
        this.transform = transform;
    }

    /**
     * The model a config describes.
     *
     * @param c the model's settings
     * @return a new, uninitialised model
     */
    public static FasterRcnn of(FasterRcnnConfig c) {
        BackboneWithFpn backbone = new BackboneWithFpn(c.resnet(), c.fpnChannels(), c.trainableLayers(), c.fpnNormLayer());
        RegionProposalNetwork rpn = new RegionProposalNetwork(c.anchorGenerator(), c.fpnChannels(), c.rpnConvDepth(), c.rpnSettings());
        RoiHeads roiHeads = new RoiHeads(new MultiScaleRoiAlign(c.boxRoiOutput(), c.boxSamplingRatio(), c.boxRoiCanonicalScale(), 4),
                c.newBoxHead(), c.representationSize(), c.numClasses(), c.boxCoder(), c.roiSettings());
        return new FasterRcnn(backbone, rpn, roiHeads, c.transform());
    }

    /**
     * The model of a config file, its DJL-trainer samplers seeded by the recipe's {@code seed}.
     *
     * @param c a config
     * @return a new, uninitialised model of {@code c.model()}
     */
    public static FasterRcnn of(DetectionConfig c) {
        return of(c.model()).withSamplerSeed(c.recipe().seed());
    }

    /**
     * torchvision's {@code fasterrcnn_resnet50_fpn(num_classes=...)}: ResNet-50 with FrozenBatchNorm,
     * FPN, 3 trainable stages, 800-1333 px.
     *
     * @param numClasses classes including the background (91 for COCO's published weights)
     * @return a new, uninitialised model
     */
    public static FasterRcnn resnet50Fpn(int numClasses) {
        return preset("fasterrcnn_resnet50_fpn", numClasses);
    }

    /**
     * torchvision's {@code fasterrcnn_resnet50_fpn_v2(num_classes=...)}: BatchNorm body and FPN, a
     * 2-conv RPN head, the 4-conv + 1-fc box head.
     *
     * @param numClasses classes including the background
     * @return a new, uninitialised model
     */
    public static FasterRcnn resnet50FpnV2(int numClasses) {
        return preset("fasterrcnn_resnet50_fpn_v2", numClasses);
    }

    /**
     * {@link #resnet50Fpn} on ResNet-18.
     *
     * @param numClasses classes including the background
     * @return a new, uninitialised model
     */
    public static FasterRcnn resnet18Fpn(int numClasses) {
        return preset("fasterrcnn_resnet18_fpn", numClasses);
    }

    private static FasterRcnn preset(String name, int numClasses) {
        DetectionConfig.Builder b = DetectionConfig.builder(name);
        b.num_classes = numClasses;
        return of(b.build());
    }

    /**
     * Seeds the sampling of training through DJL's {@code Trainer} (one stream per model, made at the
     * first training forward).
     *
     * @param seed the seed (0 unless set)
     * @return this model
     */
    public FasterRcnn withSamplerSeed(long seed) {
        this.samplerSeed = seed;
        this.trainerRandom = null;
        return this;
    }

    /**
     * The transform the model's images go through (torchvision's {@code model.transform}).
     *
     * @return the transform given to the constructor
     */
    public DetectionTransform transform() {
        return transform;
    }

    /**
     * The classes the box predictor scores.
     *
     * @return classes including the background
     */
    public int numClasses() {
        return roiHeads.numClasses();
    }

    /**
     * The ResNet body with its FPN ({@code backbone.*} parameters).
     *
     * @return the child block
     */
    public BackboneWithFpn backbone() {
        return backbone;
    }

    /**
     * The region proposal network ({@code rpn.*} parameters).
     *
     * @return the child block
     */
    public RegionProposalNetwork rpn() {
        return rpn;
    }

    /**
     * The box head and predictor ({@code roi_heads.*} parameters).
     *
     * @return the child block
     */
    public RoiHeads roiHeads() {
        return roiHeads;
    }

    /**
     * Initialises the parameters (random, torchvision's schemes; every parameter's shape is fixed, so
     * any image size works afterwards).
     *
     * @param manager owns the parameter arrays (and so fixes their device)
     * @return this model
     */
    public FasterRcnn init(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return this;
    }

    /**
     * The FPN levels ({@code 0..3, pool}) of a transformed batch.
     *
     * @param ps the parameter store
     * @param images [N, 3, H, W] float32, normalised, resized and padded ({@link DetectionTransform})
     * @param training whether norm layers run in training mode (BatchNorm then updates its statistics)
     * @return five arrays [N, fpn_channels, H_l, W_l], strides 4, 8, 16, 32, 64; the caller closes them
     */
    public NDList features(ParameterStore ps, NDArray images, boolean training) {
        return backbone.forward(ps, new NDList(images), training);
    }

    /**
     * Detections per image, in the coordinates of the resized (unpadded) images. Inference only:
     * nothing is recorded for autograd, whichever thread calls (like {@code torch.no_grad()}).
     *
     * @param ps the parameter store (one per calling thread)
     * @param images [N, 3, H, W] float32, normalised, resized and padded ({@link DetectionTransform})
     * @param imageSizes per image {@code {h, w}} after the resize, before the padding
     * @return per image, in batch order, up to {@code box_detections_per_img} detections, best first, in pixels
     *     of the resized image; no NDArray stays open
     */
    public List<Detections> detect(ParameterStore ps, NDArray images, int[][] imageSizes) {
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDList features = features(ps, images, false)) {
            Shape s = images.getShape();
            RegionProposalNetwork.Output proposals = rpn.run(ps, features, (int) s.get(2), (int) s.get(3), imageSizes, null, false, null);
            return roiHeads.detect(ps, features.subNDList(0, features.size() - 1), proposals.proposals(), imageSizes);
        }
    }

    /**
     * Detections in each image's own pixels: the images through {@link #transform()} (normalised,
     * resized, padded into one batch), {@link #detect}, and the boxes scaled back (torchvision's
     * model in eval mode). Inference only, like {@link #detect}.
     *
     * @param ps the parameter store (one per calling thread)
     * @param images [3, H, W] float32 RGB in [0, 1], any sizes; left open
     * @return per image, in order, its detections in its pixels; no NDArray stays open
     * @throws IllegalArgumentException when an image is not [3, H, W] (the message names its index)
     */
    public List<Detections> predict(ParameterStore ps, List<NDArray> images) {
        try (DetectionTransform.Prepared p = transform.prepare(images)) {
            return DetectionTransform.postprocess(detect(ps, p.images(), p.imageSizes()), p);
        }
    }

    /**
     * The training losses {@code loss_objectness, loss_rpn_box_reg, loss_classifier,
     * loss_box_reg} of a transformed batch (call inside a gradient collector).
     *
     * @param ps the parameter store
     * @param images [N, 3, H, W] float32, normalised, resized and padded (as {@link DetectionTransform})
     * @param imageSizes per image {@code {h, w}} after the resize, before the padding
     * @param targets per image its boxes (resized pixels) and labels; an image may have none
     * @param rnd draws the RPN's and box head's samples (seed it for a repeatable step)
     * @return the four scalar losses by name, ordered {@code loss_classifier, loss_box_reg, loss_objectness,
     *     loss_rpn_box_reg}
     * @throws IllegalArgumentException when the counts of targets and images differ, or a target has a box
     *     without positive width and height, or a label outside 1..num_classes-1
     */
    public Map<String, NDArray> losses(ParameterStore ps, NDArray images, int[][] imageSizes, List<Target> targets, Random rnd) {
        if (targets.size() != imageSizes.length) {
            throw new IllegalArgumentException(targets.size() + " targets for " + imageSizes.length + " images");
        }
        for (int i = 0; i < targets.size(); i++) {
            String bad = targets.get(i).boxes().invalid();
            if (bad != null) {
                throw new IllegalArgumentException("image " + i + " of the batch: " + bad);
            }
            for (int l : targets.get(i).labels()) {
                if (l < 1 || l >= numClasses()) {
                    throw new IllegalArgumentException("image " + i + " of the batch: label " + l + " outside 1.." + (numClasses() - 1));
                }
            }
        }
        NDList features = features(ps, images, true);
        Shape s = images.getShape();
        RegionProposalNetwork.Output proposals = rpn.run(ps, features, (int) s.get(2), (int) s.get(3), imageSizes, targets, true, rnd);
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.putAll(roiHeads.losses(ps, features.subNDList(0, features.size() - 1), proposals.proposals(), imageSizes, targets, rnd));
        out.putAll(proposals.losses());
        features.close();
        return out;
    }

    /**
     * DJL entry: inputs {@code [images [N, 3, H, W], sizes [N, 2] (h, w)]} (a {@code
     * DetectionDataset} batch's data); outputs per image {@code boxes [n, 4], scores [n], labels
     * [n] (int64)}, in resized coordinates (what {@code CocoMapEvaluator} reads, so {@code
     * trainer.evaluate} on a validation batch gives COCO mAP).
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            throw new UnsupportedOperationException("training Faster R-CNN needs its targets: trainer.forward(data, labels) (as"
                    + " EasyTrain.trainBatch calls it, with FasterRcnnLoss), or losses(...)");
        }
        NDArray images = inputs.get(0);
        int[][] sizes = sizes(inputs.get(1));
        NDManager m = images.getManager();
        NDList out = new NDList();
        for (Detections d : detect(ps, images, sizes)) {
            out.add(m.create(d.boxes().toArray(), new Shape(d.size(), 4)));
            out.add(m.create(d.scores()));
            long[] l = new long[d.size()];
            for (int i = 0; i < l.length; i++) {
                l[i] = d.labels()[i];
            }
            out.add(m.create(l));
        }
        return out;
    }

    /** A batch's {@code [N, 2]} sizes ({@code h, w}) as arrays. */
    private static int[][] sizes(NDArray hw) {
        long[] flat = hw.toType(DataType.INT64, false).toLongArray();
        int[][] sizes = new int[flat.length / 2][];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = new int[] {(int) flat[2 * i], (int) flat[2 * i + 1]};
        }
        return sizes;
    }

    /** The sampling randomness of training through DJL's {@code Trainer}: one stream per model, seeded by {@link #samplerSeed}. */
    private Random trainerRandom;

    /**
     * DJL training entry ({@code trainer.forward(data, labels)}, which {@code
     * EasyTrain.trainBatch} calls): data as for inference, labels a {@code DetectionDataset}
     * batch's {@code [boxes [N, M, 4], labels [N, M]]} (padding objects, labelled -1, dropped);
     * returns {@link #losses}' four losses as scalars named {@code loss_objectness,
     * loss_rpn_box_reg, loss_classifier, loss_box_reg}, which {@link FasterRcnnLoss} sums. The
     * samplers draw from one stream per model seeded by {@link #withSamplerSeed}. Not for
     * concurrent training calls on one model (a DJL trainer makes them one at a time per device).
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList data, NDList labels, PairList<String, Object> params) {
        if (labels == null || labels.isEmpty()) {
            return forwardInternal(ps, data, true, params);
        }
        int[][] sizes = sizes(data.get(1));
        if (labels.size() < 2) {
            throw new IllegalArgumentException("Faster R-CNN labels are [boxes [N, M, 4], labels [N, M]] (a DetectionDataset batch's), got "
                    + labels.size() + " array");
        }
        float[] boxes = labels.get(0).toType(DataType.FLOAT32, false).toFloatArray();
        long[] classes = labels.get(1).toType(DataType.INT64, false).toLongArray();
        int n = sizes.length;
        if (n == 0 || classes.length % n != 0 || boxes.length != 4L * classes.length) {
            throw new IllegalArgumentException("labels " + labels.get(0).getShape() + ", " + labels.get(1).getShape() + " do not fit a batch of "
                    + n + " images ([N, M, 4] boxes, [N, M] labels)");
        }
        int per = classes.length / n;
        List<Target> targets = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kept = 0;
            for (int k = 0; k < per; k++) {
                kept += classes[i * per + k] >= 0 ? 1 : 0;
            }
            float[] b = new float[4 * kept];
            int[] l = new int[kept];
            int j = 0;
            for (int k = 0; k < per; k++) {
                if (classes[i * per + k] >= 0) {
                    System.arraycopy(boxes, 4 * (i * per + k), b, 4 * j, 4);
                    l[j++] = (int) classes[i * per + k];
                }
            }
            targets.add(new Target(Boxes.of(b), l));
        }
        if (trainerRandom == null) {
            trainerRandom = new Random(samplerSeed);
        }
        NDList out = new NDList();
        losses(ps, data.get(0), sizes, targets, trainerRandom).forEach((name, loss) -> {
            loss.setName(name);
            out.add(loss);
        });
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        Shape[] out = new Shape[(int) (3 * n)];
        for (int i = 0; i < n; i++) {
            out[3 * i] = new Shape(-1, 4);
            out[3 * i + 1] = new Shape(-1);
            out[3 * i + 2] = new Shape(-1);
        }
        return out;
    }
}
