package org.resvision.detection;

import java.util.List;
import java.util.stream.IntStream;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.Norm;
import org.resvision.nn.TorchModule;

/**
 * A Faster R-CNN's settings: every constructor argument of torchvision's {@code FasterRCNN} and
 * its backbone, named as there (in camel case; a config file's fields are the snake-case names),
 * the classes and the transform; no training recipe ({@link DetectionRecipe}). Made by {@link
 * DetectionConfig} (from a preset or a file); {@link FasterRcnn#of} builds the model it describes.
 * Pixel sizes are in the resized (transformed) image.
 *
 * <p>Immutable (the arrays are copied in and out); safe to share between threads.
 *
 * @param backbone {@code backbone}: The body, a {@code ResNetConfig.of} name ({@code resnet18}, {@code resnet50},
 *     ...); default {@code resnet50}.
 * @param fpnChannels {@code fpn_channels}: Channels of every FPN level, so of the RPN head's and the box head's input;
 *     default 256.
 * @param trainableLayers {@code trainable_layers}: Body stages that train, 0..5 from {@code layer4} back to {@code
 *     conv1} (0: frozen body); default 3.
 * @param norm {@code norm}: {@code frozen} (FrozenBatchNorm2d) or {@code batchnorm}. Default {@code frozen}.
 * @param normEps {@code norm_eps}: Epsilon of the body's norms (the FPN's and box head's: 1e-5); default 1e-5, 0 for
 *     torchvision's v1 COCO.
 * @param fpnNorm {@code fpn_norm}: The FPN's norm after each conv: {@code none} (convs with bias, v1), {@code
 *     batchnorm} (v2) or {@code frozen}. Default {@code none}.
 * @param numClasses {@code num_classes}: Classes with the background at index 0 (at least 2); default 91, COCO's with
 *     torchvision's N/A slots.
 * @param classNames {@code class_names}: A name per class, background first, {@code num_classes} of them; default
 *     null: background, class_1, ....
 * @param minSize {@code min_size}: Length in pixels of an image's shorter side after the resize (training and
 *     inference); default 800.
 * @param maxSize {@code max_size}: Limit in pixels of the longer side after the resize, which wins over {@code
 *     min_size}; default 1333.
 * @param imageMean {@code image_mean}: Per-channel mean (R, G, B) subtracted from pixels scaled to [0, 1]; default
 *     ImageNet's (0.485, 0.456, 0.406).
 * @param imageStd {@code image_std}: Per-channel std (R, G, B) dividing the pixels after the mean; default ImageNet's
 *     (0.229, 0.224, 0.225).
 * @param anchorSizes {@code anchor_sizes}: Anchor sizes (sqrt of the area, input pixels) per FPN level, 5 levels;
 *     default 32, 64, 128, 256, 512.
 * @param aspectRatios {@code aspect_ratios}: Anchor aspect ratios (height / width) per FPN level, 5 levels of equal
 *     count; default 0.5, 1, 2 each.
 * @param rpnPreNmsTopNTrain {@code rpn_pre_nms_top_n_train}: Proposals kept per FPN level and image, by objectness,
 *     before the RPN's NMS, in training; default 2000.
 * @param rpnPreNmsTopNTest {@code rpn_pre_nms_top_n_test}: As {@code rpn_pre_nms_top_n_train}, in inference; default
 *     1000.
 * @param rpnPostNmsTopNTrain {@code rpn_post_nms_top_n_train}: Proposals kept per image after the RPN's NMS, best
 *     first, in training; default 2000.
 * @param rpnPostNmsTopNTest {@code rpn_post_nms_top_n_test}: As {@code rpn_post_nms_top_n_train}, in inference (the
 *     RoIs the box head scores per image); default 1000.
 * @param rpnNmsThresh {@code rpn_nms_thresh}: IoU above which the RPN's NMS (per level) drops the weaker proposal;
 *     default 0.7.
 * @param rpnFgIouThresh {@code rpn_fg_iou_thresh}: Anchors with IoU {@code >=} this to a box (and each box's best
 *     anchors) are RPN positives; default 0.7.
 * @param rpnBgIouThresh {@code rpn_bg_iou_thresh}: Anchors whose best IoU is below this are RPN negatives (in between:
 *     ignored); default 0.3.
 * @param rpnBatchSizePerImage {@code rpn_batch_size_per_image}: Anchors sampled per image for the RPN losses; default
 *     256.
 * @param rpnPositiveFraction {@code rpn_positive_fraction}: The largest fraction of positives among the sampled
 *     anchors (negatives fill the rest); default 0.5.
 * @param rpnScoreThresh {@code rpn_score_thresh}: Proposals whose sigmoid objectness is below this are dropped before
 *     the RPN's NMS; default 0 (none).
 * @param rpnConvDepth {@code rpn_conv_depth}: Shared 3x3 convs of the RPN head (torchvision's {@code conv_depth}: 1 in
 *     v1, 2 in v2). Default 1.
 * @param boxRoiOutput {@code box_roi_output}: RoIAlign's output size: each RoI is pooled to {@code box_roi_output x
 *     box_roi_output}; default 7.
 * @param boxSamplingRatio {@code box_sampling_ratio}: RoIAlign's bilinear samples per bin along each axis ({@code <=
 *     0}: {@code ceil(roi / output)}); default 2.
 * @param boxRoiCanonicalScale {@code box_roi_canonical_scale}: The box side in input pixels that RoIAlign pools from
 *     FPN level 4 ({@code MultiScaleRoIAlign}'s {@code canonical_scale}): a box of side {@code s} is pooled from level
 *     {@code floor(4 + log2(s / box_roi_canonical_scale))}, clamped to P2-P5. Default 224, torchvision's (sized for
 *     COCO's 800 px images).
 * @param boxHead {@code box_head}: {@code two_mlp} (TwoMLPHead: fc6, fc7) or {@code conv_fc} (FastRCNNConvFCHead, v2).
 *     Default {@code two_mlp}.
 * @param boxHeadConvChannels {@code box_head_conv_channels}: The conv layers of a {@code conv_fc} box head (3x3 each);
 *     its one fc layer has {@code representation_size}. Default four of 256 (v2's).
 * @param boxHeadNorm {@code box_head_norm}: The norm after each conv of a {@code conv_fc} box head: {@code batchnorm}
 *     (v2), {@code frozen} or {@code none}. Default {@code batchnorm}.
 * @param representationSize {@code representation_size}: Width of the box head's output (fc6/fc7, or the {@code
 *     conv_fc} head's fc); default 1024.
 * @param boxScoreThresh {@code box_score_thresh}: Detections need a class score strictly above this; default 0.05.
 * @param boxNmsThresh {@code box_nms_thresh}: IoU above which the per-class NMS of the detections drops the weaker
 *     box; default 0.5.
 * @param boxDetectionsPerImg {@code box_detections_per_img}: The most detections kept per image, best first; default
 *     100.
 * @param boxFgIouThresh {@code box_fg_iou_thresh}: Proposals with IoU {@code >=} this to a box are foreground for the
 *     box head's losses; default 0.5.
 * @param boxBgIouThresh {@code box_bg_iou_thresh}: Proposals whose best IoU is below this are background (in between:
 *     ignored); default 0.5.
 * @param boxBatchSizePerImage {@code box_batch_size_per_image}: Proposals (the ground-truth boxes among them) sampled
 *     per image for the box head's losses; default 512.
 * @param boxPositiveFraction {@code box_positive_fraction}: The largest fraction of foreground among the sampled
 *     proposals; default 0.25.
 * @param bboxRegWeights {@code bbox_reg_weights}: The box head's {@link BoxCoder} weights {@code (wx, wy, ww, wh)};
 *     default (10, 10, 5, 5).
 */
public record FasterRcnnConfig(
        String backbone,
        int fpnChannels,
        int trainableLayers,
        String norm,
        float normEps,
        String fpnNorm,
        int numClasses,
        List<String> classNames,
        int minSize,
        int maxSize,
        float[] imageMean,
        float[] imageStd,
        float[][] anchorSizes,
        float[][] aspectRatios,
        int rpnPreNmsTopNTrain,
        int rpnPreNmsTopNTest,
        int rpnPostNmsTopNTrain,
        int rpnPostNmsTopNTest,
        float rpnNmsThresh,
        float rpnFgIouThresh,
        float rpnBgIouThresh,
        int rpnBatchSizePerImage,
        float rpnPositiveFraction,
        float rpnScoreThresh,
        int rpnConvDepth,
        int boxRoiOutput,
        int boxSamplingRatio,
        float boxRoiCanonicalScale,
        String boxHead,
        int[] boxHeadConvChannels,
        String boxHeadNorm,
        int representationSize,
        float boxScoreThresh,
        float boxNmsThresh,
        int boxDetectionsPerImg,
        float boxFgIouThresh,
        float boxBgIouThresh,
        int boxBatchSizePerImage,
        float boxPositiveFraction,
        float[] bboxRegWeights) {

    /**
     * Checks the settings against each other and copies the arrays.
     *
     * @param backbone the config field {@code backbone}
     * @param fpnChannels the config field {@code fpn_channels}
     * @param trainableLayers the config field {@code trainable_layers}
     * @param norm the config field {@code norm}
     * @param normEps the config field {@code norm_eps}
     * @param fpnNorm the config field {@code fpn_norm}
     * @param numClasses the config field {@code num_classes}
     * @param classNames the config field {@code class_names}
     * @param minSize the config field {@code min_size}
     * @param maxSize the config field {@code max_size}
     * @param imageMean the config field {@code image_mean}
     * @param imageStd the config field {@code image_std}
     * @param anchorSizes the config field {@code anchor_sizes}
     * @param aspectRatios the config field {@code aspect_ratios}
     * @param rpnPreNmsTopNTrain the config field {@code rpn_pre_nms_top_n_train}
     * @param rpnPreNmsTopNTest the config field {@code rpn_pre_nms_top_n_test}
     * @param rpnPostNmsTopNTrain the config field {@code rpn_post_nms_top_n_train}
     * @param rpnPostNmsTopNTest the config field {@code rpn_post_nms_top_n_test}
     * @param rpnNmsThresh the config field {@code rpn_nms_thresh}
     * @param rpnFgIouThresh the config field {@code rpn_fg_iou_thresh}
     * @param rpnBgIouThresh the config field {@code rpn_bg_iou_thresh}
     * @param rpnBatchSizePerImage the config field {@code rpn_batch_size_per_image}
     * @param rpnPositiveFraction the config field {@code rpn_positive_fraction}
     * @param rpnScoreThresh the config field {@code rpn_score_thresh}
     * @param rpnConvDepth the config field {@code rpn_conv_depth}
     * @param boxRoiOutput the config field {@code box_roi_output}
     * @param boxSamplingRatio the config field {@code box_sampling_ratio}
     * @param boxRoiCanonicalScale the config field {@code box_roi_canonical_scale}
     * @param boxHead the config field {@code box_head}
     * @param boxHeadConvChannels the config field {@code box_head_conv_channels}
     * @param boxHeadNorm the config field {@code box_head_norm}
     * @param representationSize the config field {@code representation_size}
     * @param boxScoreThresh the config field {@code box_score_thresh}
     * @param boxNmsThresh the config field {@code box_nms_thresh}
     * @param boxDetectionsPerImg the config field {@code box_detections_per_img}
     * @param boxFgIouThresh the config field {@code box_fg_iou_thresh}
     * @param boxBgIouThresh the config field {@code box_bg_iou_thresh}
     * @param boxBatchSizePerImage the config field {@code box_batch_size_per_image}
     * @param boxPositiveFraction the config field {@code box_positive_fraction}
     * @param bboxRegWeights the config field {@code bbox_reg_weights}
     * @throws IllegalArgumentException naming the config field of the first value that no model or run can use
     */
    public FasterRcnnConfig {
        if (numClasses < 2) {
            throw new IllegalArgumentException("num_classes " + numClasses + " must count the background and at least one class");
        }
        if (classNames != null && classNames.size() != numClasses) {
            throw new IllegalArgumentException(classNames.size() + " class_names for num_classes " + numClasses + " (the first is the background)");
        }
        if (!"frozen".equals(norm) && !"batchnorm".equals(norm)) {
            throw new IllegalArgumentException("norm '" + norm + "' must be 'frozen' or 'batchnorm'");
        }
        if (fpnNorm == null || !NORMS.contains(fpnNorm)) {
            throw new IllegalArgumentException("fpn_norm '" + fpnNorm + "' must be 'none', 'batchnorm' or 'frozen'");
        }
        if (rpnConvDepth < 1) {
            throw new IllegalArgumentException("rpn_conv_depth " + rpnConvDepth + " must be >= 1");
        }
        if (!"two_mlp".equals(boxHead) && !"conv_fc".equals(boxHead)) {
            throw new IllegalArgumentException("box_head '" + boxHead + "' must be 'two_mlp' or 'conv_fc'");
        }
        if (boxHeadNorm == null || !NORMS.contains(boxHeadNorm)) {
            throw new IllegalArgumentException("box_head_norm '" + boxHeadNorm + "' must be 'none', 'batchnorm' or 'frozen'");
        }
        if (boxHeadConvChannels == null || java.util.Arrays.stream(boxHeadConvChannels).anyMatch(ch -> ch <= 0)) {
            throw new IllegalArgumentException("box_head_conv_channels " + java.util.Arrays.toString(boxHeadConvChannels)
                    + " must be a list of positive channel counts");
        }
        if (representationSize <= 0 || fpnChannels <= 0) {
            throw new IllegalArgumentException("representation_size " + representationSize + " and fpn_channels " + fpnChannels + " must be > 0");
        }
        if (!(boxRoiCanonicalScale > 0) || !Float.isFinite(boxRoiCanonicalScale)) {
            throw new IllegalArgumentException("box_roi_canonical_scale " + boxRoiCanonicalScale + " must be a positive box side in pixels");
        }
        if (anchorSizes == null || aspectRatios == null || anchorSizes.length != 5 || aspectRatios.length != 5) {
            throw new IllegalArgumentException("anchor_sizes and aspect_ratios need one entry per FPN level (5)");
        }
        if (minSize <= 0 || maxSize < minSize) {
            throw new IllegalArgumentException("min_size " + minSize + " / max_size " + maxSize + " must satisfy 0 < min <= max");
        }
        if (bboxRegWeights == null || imageMean == null || imageStd == null || bboxRegWeights.length != 4 || imageMean.length != 3
                || imageStd.length != 3) {
            throw new IllegalArgumentException("bbox_reg_weights needs 4 values, image_mean and image_std 3");
        }
        for (int i = 0; i < 3; i++) {
            if (!(imageStd[i] > 0) || !Float.isFinite(imageStd[i]) || !Float.isFinite(imageMean[i])) {
                throw new IllegalArgumentException("image_std must be positive and image_mean finite, got std "
                        + java.util.Arrays.toString(imageStd) + ", mean " + java.util.Arrays.toString(imageMean));
            }
        }
        if (trainableLayers < 0 || trainableLayers > 5) {
            throw new IllegalArgumentException("trainable_layers " + trainableLayers + " must be in 0..5");
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
        anchorSizes = deepCopy(anchorSizes);
        aspectRatios = deepCopy(aspectRatios);
        boxHeadConvChannels = boxHeadConvChannels.clone();
        bboxRegWeights = bboxRegWeights.clone();
        if (backbone == null) {
            throw new IllegalArgumentException("backbone must name a ResNet (resnet18, resnet50, ...)");
        }
        ResNetConfig.of(backbone); // an unknown name fails here, listing the known ones
        new AnchorGenerator(anchorSizes, aspectRatios).anchorsPerLocation();
    }

    private static final List<String> NORMS = List.of("none", "batchnorm", "frozen");

    private static float[][] deepCopy(float[][] a) {
        if (a == null) {
            return null;
        }
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] == null ? null : a[i].clone();
        }
        return c;
    }

    /**
     * {@code image_mean}.
     *
     * @return a copy
     */
    @Override
    public float[] imageMean() {
        return imageMean.clone();
    }

    /**
     * {@code image_std}.
     *
     * @return a copy
     */
    @Override
    public float[] imageStd() {
        return imageStd.clone();
    }

    /**
     * {@code anchor_sizes}.
     *
     * @return a copy
     */
    @Override
    public float[][] anchorSizes() {
        return deepCopy(anchorSizes);
    }

    /**
     * {@code aspect_ratios}.
     *
     * @return a copy
     */
    @Override
    public float[][] aspectRatios() {
        return deepCopy(aspectRatios);
    }

    /**
     * {@code box_head_conv_channels}.
     *
     * @return a copy
     */
    @Override
    public int[] boxHeadConvChannels() {
        return boxHeadConvChannels.clone();
    }

    /**
     * {@code bbox_reg_weights}.
     *
     * @return a copy
     */
    @Override
    public float[] bboxRegWeights() {
        return bboxRegWeights.clone();
    }

    /** A norm name ({@code none}, {@code batchnorm}, {@code frozen}) as a layer kind with eps 1e-5 (torchvision's default), or null for none. */
    private static Norm norm(String name) {
        return switch (name) {
            case "none" -> null;
            case "batchnorm" -> Norm.batchNorm();
            case "frozen" -> Norm.frozenBatchNorm();
            default -> throw new IllegalArgumentException("unknown norm '" + name + "'");
        };
    }

    /**
     * The class names including the background at 0.
     *
     * @return {@code classNames} when given, else {@code background, class_1, ..., class_<numClasses - 1>}; immutable
     */
    public List<String> labelNames() {
        return classNames != null ? classNames : IntStream.range(0, numClasses).mapToObj(i -> i == 0 ? "background" : "class_" + i).toList();
    }

    /**
     * The body's ResNet: {@code backbone} with {@code norm} (FrozenBatchNorm or BatchNorm) at {@code normEps}.
     *
     * @return a ResNet config (its classification head is not used by the detector)
     */
    public ResNetConfig resnet() {
        Norm n = norm.equals("frozen") ? Norm.frozenBatchNorm() : Norm.batchNorm();
        return ResNetConfig.of(backbone).withNorm(n.withEps(normEps));
    }

    /**
     * The FPN's norm layer.
     *
     * @return the {@code fpnNorm} kind with eps 1e-5 (not {@code normEps}), or null for {@code none}
     */
    public Norm fpnNormLayer() {
        return norm(fpnNorm);
    }

    /**
     * A new box head ({@code boxHead}) for pooled [R, fpnChannels, boxRoiOutput, boxRoiOutput].
     *
     * @return a new, uninitialised block giving [R, representationSize]: a {@link TwoMlpHead}, or a
     *     {@link FastRcnnConvFcHead} for {@code conv_fc}
     */
    public TorchModule newBoxHead() {
        return boxHead.equals("conv_fc")
                ? new FastRcnnConvFcHead(fpnChannels, boxRoiOutput, boxHeadConvChannels.clone(), new int[] {representationSize}, norm(boxHeadNorm))
                : new TwoMlpHead(fpnChannels * boxRoiOutput * boxRoiOutput, representationSize);
    }

    /**
     * The RPN's anchors.
     *
     * @return a new generator over copies of {@code anchorSizes} and {@code aspectRatios}
     */
    public AnchorGenerator anchorGenerator() {
        return new AnchorGenerator(anchorSizes(), aspectRatios());
    }

    /**
     * The RPN's settings: the {@code rpn*} values but {@code rpnConvDepth}, which shapes the head.
     *
     * @return a new record
     */
    public RegionProposalNetwork.Settings rpnSettings() {
        return new RegionProposalNetwork.Settings(rpnPreNmsTopNTrain, rpnPreNmsTopNTest, rpnPostNmsTopNTrain, rpnPostNmsTopNTest,
                rpnNmsThresh, rpnFgIouThresh, rpnBgIouThresh, rpnBatchSizePerImage, rpnPositiveFraction, rpnScoreThresh);
    }

    /**
     * The RoI heads' settings: the {@code box*} IoU thresholds, sampling, score and NMS thresholds and the
     * detections per image.
     *
     * @return a new record
     */
    public RoiHeads.Settings roiSettings() {
        return new RoiHeads.Settings(boxFgIouThresh, boxBgIouThresh, boxBatchSizePerImage, boxPositiveFraction, boxScoreThresh,
                boxNmsThresh, boxDetectionsPerImg);
    }

    /**
     * The box head's coder.
     *
     * @return a coder with {@code bboxRegWeights}
     */
    public BoxCoder boxCoder() {
        return new BoxCoder(bboxRegWeights[0], bboxRegWeights[1], bboxRegWeights[2], bboxRegWeights[3]);
    }

    /**
     * The model's transform.
     *
     * @return {@code minSize}, {@code maxSize}, {@code imageMean}, {@code imageStd} as torchvision's
     *     {@code GeneralizedRCNNTransform}
     */
    public DetectionTransform transform() {
        return new DetectionTransform(minSize, maxSize, imageMean(), imageStd());
    }

    /**
     * Equality by value, arrays included (a record's own would compare the arrays' identities).
     *
     * @param o another object
     * @return whether {@code o} is a {@code FasterRcnnConfig} with equal components
     */
    @Override
    public boolean equals(Object o) {
        return ValueRecords.equal(this, o);
    }

    @Override
    public int hashCode() {
        return ValueRecords.hash(this);
    }

    @Override
    public String toString() {
        return ValueRecords.text(this);
    }
}
