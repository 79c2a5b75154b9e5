package org.resvision.detection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.resvision.data.json.JsonErrors;

/**
 * A Faster R-CNN config file (JSON): the model's settings ({@link #model()}, every constructor
 * argument of torchvision's {@code FasterRCNN} and its backbone, named as there and defaulting to
 * torchvision's values) and the training recipe ({@link #recipe()}). A file names a {@code model}
 * preset and overrides any field:
 *
 * <pre>{"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
 *  "class_names": ["background", "circle", "rectangle", "triangle", "star"], "iterations": 300}</pre>
 *
 * Presets: {@code fasterrcnn_resnet50_fpn} (torchvision's defaults, 91 COCO classes, frozen BN;
 * set {@code "norm_eps": 0.0} for torchvision's COCO v1 weights), {@code fasterrcnn_resnet18_fpn}
 * (the same on resnet18), and {@code fasterrcnn_resnet18_fpn_small} (a CPU preset for training
 * from scratch: resnet18, BatchNorm, FPN 128, 1 anchor size per level from 16, 160-224 px), and
 * {@code fasterrcnn_resnet50_fpn_v2} (torchvision's {@code fasterrcnn_resnet50_fpn_v2}: BatchNorm
 * body, FPN with BatchNorm, a 2-conv RPN head and the 4-conv + 1-fc box head with BatchNorm).
 *
 * <p>The file's fields are those of {@link Builder}, where each is described with its default. To change
 * a config in code: {@code Builder b = config.toBuilder(); b.box_score_thresh = 0.5f; config = b.build();}
 *
 * <p>Immutable; safe to share between threads.
 */
public final class DetectionConfig {

    /** The fields as given (a private copy), for {@link #toBuilder()}. */
    private final Builder fields;
    private final FasterRcnnConfig model;
    private final DetectionRecipe recipe;

    private DetectionConfig(Builder b) {
        if (!"detection".equals(b.task)) {
            throw new IllegalArgumentException("task is '" + b.task + "', expected 'detection'");
        }
        this.fields = b.copy();
        Builder f = fields;
        this.model = new FasterRcnnConfig(f.backbone, f.fpn_channels, f.trainable_layers, f.norm, f.norm_eps, f.fpn_norm,
                f.num_classes, f.class_names, f.min_size, f.max_size, f.image_mean, f.image_std, f.anchor_sizes, f.aspect_ratios,
                f.rpn_pre_nms_top_n_train, f.rpn_pre_nms_top_n_test, f.rpn_post_nms_top_n_train, f.rpn_post_nms_top_n_test,
                f.rpn_nms_thresh, f.rpn_fg_iou_thresh, f.rpn_bg_iou_thresh, f.rpn_batch_size_per_image, f.rpn_positive_fraction,
                f.rpn_score_thresh, f.rpn_conv_depth, f.box_roi_output, f.box_sampling_ratio, f.box_roi_canonical_scale,
                f.box_head, f.box_head_conv_channels, f.box_head_norm, f.representation_size, f.box_score_thresh,
                f.box_nms_thresh, f.box_detections_per_img, f.box_fg_iou_thresh, f.box_bg_iou_thresh, f.box_batch_size_per_image,
                f.box_positive_fraction, f.bbox_reg_weights);
        this.recipe = new DetectionRecipe(f.batch_size, f.iterations, f.lr, f.momentum, f.weight_decay, f.decay_norm_and_bias,
                f.lr_schedule, f.milestones, f.warmup_iters, f.clip_grad_norm, f.horizontal_flip, f.seed, f.log_every,
                f.checkpoint_every);
    }

    /**
     * The preset the config starts from.
     *
     * @return the {@code model} field: {@code fasterrcnn_resnet50_fpn}, ...
     */
    public String preset() {
        return fields.model;
    }

    /**
     * The model's settings: what {@link FasterRcnn#of} builds, with the classes and the transform.
     *
     * @return the settings
     */
    public FasterRcnnConfig model() {
        return model;
    }

    /**
     * The training recipe.
     *
     * @return the recipe
     */
    public DetectionRecipe recipe() {
        return recipe;
    }

    /**
     * Whether the config names its classes ({@code class_names}); without names, label {@code k} is the
     * dataset's {@code k}-th category.
     *
     * @return true when {@code class_names} is given
     */
    public boolean hasClassNames() {
        return model.classNames() != null;
    }

    /**
     * Class names including the background at 0 ({@code class_<i>} where the config names none).
     *
     * @return {@code class_names} when given, else {@code background, class_1, ..., class_<num_classes - 1>}; immutable
     */
    public List<String> classNames() {
        return model.labelNames();
    }

    /**
     * A builder holding this config's fields, to change some and {@link Builder#build()} a new config.
     *
     * @return a new builder (a copy: changing it does not change this config)
     */
    public Builder toBuilder() {
        return fields.copy();
    }

    /**
     * This config with another detection score threshold (what {@code predict --score-thresh} sets).
     *
     * @param threshold detections need a class score strictly above it ({@code box_score_thresh})
     * @return a new config
     * @throws IllegalArgumentException when the threshold is not a number
     */
    public DetectionConfig withBoxScoreThresh(float threshold) {
        if (Float.isNaN(threshold)) {
            throw new IllegalArgumentException("box_score_thresh must be a number");
        }
        Builder b = toBuilder();
        b.box_score_thresh = threshold;
        return b.build();
    }

    /**
     * A preset by name, with torchvision's values.
     *
     * @param name {@code fasterrcnn_resnet50_fpn}, {@code fasterrcnn_resnet50_fpn_v2}, {@code fasterrcnn_resnet18_fpn}
     *     or {@code fasterrcnn_resnet18_fpn_small}
     * @return the preset's config
     * @throws IllegalArgumentException for any other name (the message lists the presets)
     */
    public static DetectionConfig preset(String name) {
        return builder(name).build();
    }

    /**
     * A builder starting from a preset, to change fields before {@link Builder#build()}.
     *
     * @param name a preset's name (see {@link DetectionConfig#preset})
     * @return a new builder with {@code model} set to {@code name} and the preset's values
     * @throws IllegalArgumentException for an unknown name (the message lists the presets)
     */
    public static Builder builder(String name) {
        Builder c = new Builder();
        c.model = name;
        switch (name) {
            case "fasterrcnn_resnet50_fpn" -> { }
            case "fasterrcnn_resnet18_fpn" -> c.backbone = "resnet18";
            case "fasterrcnn_resnet18_fpn_small" -> {
                c.backbone = "resnet18";
                c.norm = "batchnorm";
                c.trainable_layers = 5;
                c.fpn_channels = 128;
                c.representation_size = 256;
                c.num_classes = 5;
                c.min_size = 160;
                c.max_size = 224;
                c.anchor_sizes = new float[][] {{16}, {32}, {64}, {128}, {256}};
                c.rpn_pre_nms_top_n_train = 1000;
                c.rpn_post_nms_top_n_train = 500;
                c.rpn_pre_nms_top_n_test = 500;
                c.rpn_post_nms_top_n_test = 300;
                c.box_batch_size_per_image = 128;
                c.batch_size = 4;
                c.iterations = 600;
                c.lr = 0.02f;
                c.milestones = new int[] {450, 550};
                c.warmup_iters = 50;
                c.log_every = 10;
                c.checkpoint_every = 200;
            }
            case "fasterrcnn_resnet50_fpn_v2" -> {
                // torchvision's fasterrcnn_resnet50_fpn_v2: resnet50 with BatchNorm2d (eps 1e-5), 3
                // trainable stages (its default with trained weights), norm_layer=BatchNorm2d in the
                // FPN, RPNHead(conv_depth=2), FastRCNNConvFCHead((256, 7, 7), [256]*4, [1024], BatchNorm2d)
                c.norm = "batchnorm";
                c.fpn_norm = "batchnorm";
                c.rpn_conv_depth = 2;
                c.box_head = "conv_fc";
                c.box_head_conv_channels = new int[] {256, 256, 256, 256};
                c.box_head_norm = "batchnorm";
                c.representation_size = 1024;
            }
            default -> throw new IllegalArgumentException("unknown model '" + name
                    + "' (fasterrcnn_resnet50_fpn, fasterrcnn_resnet50_fpn_v2, fasterrcnn_resnet18_fpn, fasterrcnn_resnet18_fpn_small)");
        }
        return c;
    }

    /**
     * Reads a config: the preset named by {@code model}, then the file's fields; unknown fields are errors.
     *
     * @param file a JSON object; {@code task} may be left out (it must be {@code detection} when given), and
     *     {@code model} too ({@code fasterrcnn_resnet50_fpn})
     * @return the config
     * @throws IOException a one-line message starting with the file: no such file, not a JSON object, malformed
     *     JSON or a wrong value (with line and column), an unknown field, another task, an unknown preset, or
     *     values that {@link Builder#build()} rejects
     */
    public static DetectionConfig read(Path file) throws IOException {
        ObjectMapper mapper = JsonErrors.configMapper();
        Builder c;
        try {
            ObjectNode tree = (ObjectNode) mapper.readTree(file.toFile());
            if (tree == null) {
                throw new IOException(file + ": empty config file");
            }
            String task = tree.path("task").asText("detection");
            if (!"detection".equals(task)) {
                throw new IOException(file + ": task is '" + task + "', expected 'detection'");
            }
            c = builder(tree.path("model").asText("fasterrcnn_resnet50_fpn"));
            // from the file, not the tree: a wrong value's error then has its line and column
            mapper.readerForUpdating(c).readValue(file.toFile());
        } catch (JsonProcessingException e) {
            throw JsonErrors.describe(file, e);
        } catch (ClassCastException e) {
            throw new IOException(file + ": a config must be a JSON object");
        } catch (FileNotFoundException | NoSuchFileException e) {
            throw new IOException(file + ": no such config file");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        try {
            return c.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    /**
     * A config's fields, as a file names them (snake case, the defaults of {@code fasterrcnn_resnet50_fpn};
     * the other presets change some of them, see {@link DetectionConfig#builder}). Pixel sizes are in the
     * resized (transformed) image.
     *
     * <p>Not thread-safe: a mutable form to fill in, then {@link #build()}.
     */
    public static final class Builder {

        /** A builder with the defaults (the {@code fasterrcnn_resnet50_fpn} preset); Jackson's, and {@link DetectionConfig#builder}'s start. */
        public Builder() {}

        /** Must be {@code detection}: {@link DetectionConfig#read} refuses a file with another task. */
        public String task = "detection";
        /** The preset a file starts from (see {@link DetectionConfig#preset}); default {@code fasterrcnn_resnet50_fpn}. */
        public String model = "fasterrcnn_resnet50_fpn";
        // backbone
        /** The body, a {@code ResNetConfig.of} name ({@code resnet18}, {@code resnet50}, ...); default {@code resnet50}. */
        public String backbone = "resnet50";
        /** Channels of every FPN level, so of the RPN head's and the box head's input; default 256. */
        public int fpn_channels = 256;
        /** Body stages that train, 0..5 from {@code layer4} back to {@code conv1} (0: frozen body); default 3. */
        public int trainable_layers = 3;
        /** {@code frozen} (FrozenBatchNorm2d) or {@code batchnorm}. Default {@code frozen}. */
        public String norm = "frozen";
        /** Epsilon of the body's norms (the FPN's and box head's: 1e-5); default 1e-5, 0 for torchvision's v1 COCO. */
        public float norm_eps = 1e-5f;
        /**
         * The FPN's norm after each conv: {@code none} (convs with bias, v1), {@code batchnorm} (v2) or
         * {@code frozen}. Default {@code none}.
         */
        public String fpn_norm = "none";
        // classes and transform
        /** Classes with the background at index 0 (at least 2); default 91, COCO's with torchvision's N/A slots. */
        public int num_classes = 91;
        /** A name per class, background first, {@code num_classes} of them; default null: {@link DetectionConfig#classNames()}'s. */
        public List<String> class_names;
        /** Length in pixels of an image's shorter side after the resize (training and inference); default 800. */
        public int min_size = 800;
        /** Limit in pixels of the longer side after the resize, which wins over {@code min_size}; default 1333. */
        public int max_size = 1333;
        /** Per-channel mean (R, G, B) subtracted from pixels scaled to [0, 1]; default ImageNet's (0.485, 0.456, 0.406). */
        public float[] image_mean = {0.485f, 0.456f, 0.406f};
        /** Per-channel std (R, G, B) dividing the pixels after the mean; default ImageNet's (0.229, 0.224, 0.225). */
        public float[] image_std = {0.229f, 0.224f, 0.225f};
        // RPN
        /** Anchor sizes (sqrt of the area, input pixels) per FPN level, 5 levels; default 32, 64, 128, 256, 512. */
        public float[][] anchor_sizes = {{32}, {64}, {128}, {256}, {512}};
        /** Anchor aspect ratios (height / width) per FPN level, 5 levels of equal count; default 0.5, 1, 2 each. */
        public float[][] aspect_ratios = {{0.5f, 1f, 2f}, {0.5f, 1f, 2f}, {0.5f, 1f, 2f}, {0.5f, 1f, 2f}, {0.5f, 1f, 2f}};
        /** Proposals kept per FPN level and image, by objectness, before the RPN's NMS, in training; default 2000. */
        public int rpn_pre_nms_top_n_train = 2000;
        /** As {@code rpn_pre_nms_top_n_train}, in inference; default 1000. */
        public int rpn_pre_nms_top_n_test = 1000;
        /** Proposals kept per image after the RPN's NMS, best first, in training; default 2000. */
        public int rpn_post_nms_top_n_train = 2000;
        /** As {@code rpn_post_nms_top_n_train}, in inference (the RoIs the box head scores per image); default 1000. */
        public int rpn_post_nms_top_n_test = 1000;
        /** IoU above which the RPN's NMS (per level) drops the weaker proposal; default 0.7. */
        public float rpn_nms_thresh = 0.7f;
        /** Anchors with IoU {@code >=} this to a box (and each box's best anchors) are RPN positives; default 0.7. */
        public float rpn_fg_iou_thresh = 0.7f;
        /** Anchors whose best IoU is below this are RPN negatives (in between: ignored); default 0.3. */
        public float rpn_bg_iou_thresh = 0.3f;
        /** Anchors sampled per image for the RPN losses; default 256. */
        public int rpn_batch_size_per_image = 256;
        /** The largest fraction of positives among the sampled anchors (negatives fill the rest); default 0.5. */
        public float rpn_positive_fraction = 0.5f;
        /** Proposals whose sigmoid objectness is below this are dropped before the RPN's NMS; default 0 (none). */
        public float rpn_score_thresh = 0f;
        /** Shared 3x3 convs of the RPN head (torchvision's {@code conv_depth}: 1 in v1, 2 in v2). Default 1. */
        public int rpn_conv_depth = 1;
        // box head
        /** RoIAlign's output size: each RoI is pooled to {@code box_roi_output x box_roi_output}; default 7. */
        public int box_roi_output = 7;
        /** RoIAlign's bilinear samples per bin along each axis ({@code <= 0}: {@code ceil(roi / output)}); default 2. */
        public int box_sampling_ratio = 2;
        /**
         * The box side in input pixels that RoIAlign pools from FPN level 4 ({@code MultiScaleRoIAlign}'s
         * {@code canonical_scale}): a box of side {@code s} is pooled from level {@code floor(4 + log2(s /
         * box_roi_canonical_scale))}, clamped to P2-P5. Default 224, torchvision's (sized for COCO's 800 px images).
         */
        public float box_roi_canonical_scale = 224f;
        /** {@code two_mlp} (TwoMLPHead: fc6, fc7) or {@code conv_fc} (FastRCNNConvFCHead, v2). Default {@code two_mlp}. */
        public String box_head = "two_mlp";
        /**
         * The conv layers of a {@code conv_fc} box head (3x3 each); its one fc layer has {@code representation_size}.
         * Default four of 256 (v2's).
         */
        public int[] box_head_conv_channels = {256, 256, 256, 256};
        /**
         * The norm after each conv of a {@code conv_fc} box head: {@code batchnorm} (v2), {@code frozen} or
         * {@code none}. Default {@code batchnorm}.
         */
        public String box_head_norm = "batchnorm";
        /** Width of the box head's output (fc6/fc7, or the {@code conv_fc} head's fc); default 1024. */
        public int representation_size = 1024;
        /** Detections need a class score strictly above this; default 0.05. */
        public float box_score_thresh = 0.05f;
        /** IoU above which the per-class NMS of the detections drops the weaker box; default 0.5. */
        public float box_nms_thresh = 0.5f;
        /** The most detections kept per image, best first; default 100. */
        public int box_detections_per_img = 100;
        /** Proposals with IoU {@code >=} this to a box are foreground for the box head's losses; default 0.5. */
        public float box_fg_iou_thresh = 0.5f;
        /** Proposals whose best IoU is below this are background (in between: ignored); default 0.5. */
        public float box_bg_iou_thresh = 0.5f;
        /** Proposals (the ground-truth boxes among them) sampled per image for the box head's losses; default 512. */
        public int box_batch_size_per_image = 512;
        /** The largest fraction of foreground among the sampled proposals; default 0.25. */
        public float box_positive_fraction = 0.25f;
        /** The box head's {@link BoxCoder} weights {@code (wx, wy, ww, wh)}; default (10, 10, 5, 5). */
        public float[] bbox_reg_weights = {10f, 10f, 5f, 5f};
        // training recipe (torchvision's detection reference: lr 0.02 for 16 images, momentum 0.9, wd 1e-4)
        /** Images per training iteration, also per batch of evaluation; default 2 (torchvision's per GPU). */
        public int batch_size = 2;
        /** Training iterations (optimizer steps) in all; default 90 000. */
        public int iterations = 90_000;
        /** Base learning rate, reached after the warm-up; default 0.02 (torchvision's, for 16 images a step). */
        public float lr = 0.02f;
        /** SGD momentum, in [0, 1); default 0.9. */
        public float momentum = 0.9f;
        /** L2 weight decay, added to each gradient as {@code weight_decay * w}; default 1e-4. */
        public float weight_decay = 1e-4f;
        /** Whether weight decay also applies to 1-D parameters (norm weights, biases); default true, as torchvision. */
        public boolean decay_norm_and_bias = true;
        /** {@code multistep} (x0.1 at each milestone) or {@code cosine}. Default {@code multistep}. */
        public String lr_schedule = "multistep";
        /** Iterations where {@code multistep} multiplies the learning rate by 0.1; default 60 000 and 80 000. */
        public int[] milestones = {60_000, 80_000};
        /** Iterations of linear warm-up from 0.001 x {@code lr} to {@code lr}, 0 for none; default 1000. */
        public int warmup_iters = 1000;
        /** The largest global L2 norm of the gradients (scaled down to it above); 0, the default, for no clipping. */
        public float clip_grad_norm = 0f;
        /**
         * Random horizontal flips (probability 0.5) of the training images; default true. {@code false}: none
         * ({@code resvision train} builds its COCO source with this, {@code image_mean} and {@code image_std}).
         */
        public boolean horizontal_flip = true;
        /** Seeds the data order, the augmentation and the RPN and box head samplers, so a run repeats; default 0. */
        public long seed = 0;
        /** Iterations between log lines (losses, learning rate, time); default 20. */
        public int log_every = 20;
        /** Iterations between checkpoints (each followed by validation), plus one at the end; default 5000. */
        public int checkpoint_every = 5000;
        /**
         * Checks the fields and makes the config.
         *
         * @return a new, immutable config holding copies of the fields
         * @throws IllegalArgumentException at the first problem, naming the field: a value out of range, an
         *     unknown name ({@code norm}, {@code backbone}, {@code box_head}, {@code lr_schedule}, ...),
         *     {@code class_names} not of {@code num_classes}, or anchor levels with different anchor counts
         */
        public DetectionConfig build() {
            return new DetectionConfig(this);
        }

        /** A deep copy: the fields through their JSON form, so that none can be forgotten. */
        Builder copy() {
            try {
                return COPIES.readValue(COPIES.writeValueAsBytes(this), Builder.class);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot copy a config's fields: " + e.getMessage(), e);
            }
        }

        private static final com.fasterxml.jackson.databind.ObjectMapper COPIES = new com.fasterxml.jackson.databind.ObjectMapper();
    }
}
