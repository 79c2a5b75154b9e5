package org.resvision.segmentation;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.resvision.data.json.JsonErrors;

/**
 * A segmentation config file (JSON): the model's settings ({@link #model()}, the FCN; {@link
 * #classNames()}; {@link #baseSize()}, the evaluation resize) and the training recipe ({@link
 * #recipe()}), every field with torchvision's reference default. Example:
 *
 * <pre>{"task": "segmentation", "model": "fcn_small", "num_classes": 5,
 *  "class_names": ["background", "circle", "rectangle", "triangle", "star"],
 *  "base_size": 64, "crop_size": 64, "batch_size": 8, "iterations": 200, "lr": 0.02}</pre>
 *
 * <p>The file's fields are those of {@link Builder}, where each is described with its default. To change
 * a config in code: {@code Builder b = config.toBuilder(); b.base_size = 480; config = b.build();}
 *
 * <p>Immutable; safe to share between threads.
 */
public final class SegmentationConfig {

    /** The fields as given (a private copy), for {@link #toBuilder()}. */
    private final Builder fields;
    private final FcnConfig model;
    private final SegmentationRecipe recipe;

    private SegmentationConfig(Builder b) {
        if (!"segmentation".equals(b.task)) {
            throw new IllegalArgumentException("task is '" + b.task + "', expected 'segmentation'");
        }
        if (b.class_names != null && b.class_names.size() != b.num_classes) {
            throw new IllegalArgumentException(b.class_names.size() + " class_names for num_classes " + b.num_classes);
        }
        this.fields = b.copy();
        FcnConfig base = switch (String.valueOf(b.model)) {
            case "fcn_resnet50" -> FcnConfig.fcnResnet50();
            case "fcn_resnet101" -> FcnConfig.fcnResnet101();
            case "fcn_small" -> FcnConfig.small(b.num_classes);
            default -> throw new IllegalArgumentException("unknown model '" + b.model + "' (fcn_resnet50, fcn_resnet101, fcn_small)");
        };
        this.model = new FcnConfig(base.backbone(), b.num_classes, b.aux, base.dropout());
        org.resvision.train.Recipe.check(b.batch_size, b.iterations, b.lr, b.momentum, b.weight_decay, b.log_every,
                b.checkpoint_every);
        if (b.base_size < 1 || b.crop_size < 1) {
            throw new IllegalArgumentException("base_size " + b.base_size + " and crop_size " + b.crop_size + " must be at least 1");
        }
        this.recipe = new SegmentationRecipe(b.batch_size, b.iterations, b.lr, b.momentum, b.weight_decay, b.seed, b.log_every,
                b.checkpoint_every, b.crop_size);
    }

    /**
     * The preset the model is.
     *
     * @return the {@code model} field: {@code fcn_resnet50}, {@code fcn_resnet101} or {@code fcn_small}
     */
    public String preset() {
        return fields.model;
    }

    /**
     * The FCN this config describes ({@link Fcn#of}).
     *
     * @return the {@code model} preset with this config's {@code num_classes} and {@code aux}
     */
    public FcnConfig model() {
        return model;
    }

    /**
     * The training recipe.
     *
     * @return the recipe (crop size, SGD, poly schedule, iterations, batch size, seed, intervals)
     */
    public SegmentationRecipe recipe() {
        return recipe;
    }

    /**
     * The short side images are resized to for evaluation and prediction; training scales it randomly.
     *
     * @return {@code base_size}, in pixels
     */
    public int baseSize() {
        return fields.base_size;
    }

    /**
     * The class names, background first.
     *
     * @return {@code class_names} when given, else {@code class_0 .. class_<num_classes - 1>}; immutable
     */
    public List<String> classNames() {
        if (fields.class_names != null) {
            return List.copyOf(fields.class_names);
        }
        return java.util.stream.IntStream.range(0, fields.num_classes).mapToObj(i -> "class_" + i).toList();
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
     * A builder of a preset with torchvision's reference recipe, to change fields before {@link Builder#build()}.
     *
     * @param model {@code fcn_resnet50}, {@code fcn_resnet101} or {@code fcn_small} (checked by {@code build})
     * @return a new builder
     */
    public static Builder builder(String model) {
        Builder b = new Builder();
        b.model = model;
        return b;
    }

    /**
     * Reads and checks a config; unknown fields are errors (a typo must not be ignored).
     *
     * @param file a JSON object; fields left out keep their defaults
     * @return the config
     * @throws IOException a one-line message starting with the file: no such file, malformed JSON or a wrong
     *     value (with line and column), an unknown field, another task, {@code class_names} not of
     *     {@code num_classes}, an unknown model, a recipe value out of range, or a size below 1
     */
    public static SegmentationConfig read(Path file) throws IOException {
        Builder c;
        try {
            c = JsonErrors.configMapper().readValue(file.toFile(), Builder.class);
        } catch (JsonProcessingException e) {
            throw JsonErrors.describe(file, e);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new IOException(file + ": no such config file");
        }
        if (c == null) {
            throw new IOException(file + ": empty config file");
        }
        try {
            return c.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    /**
     * A config's fields, as a file names them (snake case, with torchvision's reference defaults).
     *
     * <p>Not thread-safe: a mutable form to fill in, then {@link #build()}.
     */
    public static final class Builder {

        /** A builder with the defaults ({@code fcn_resnet50}, VOC's 21 classes); Jackson's start. */
        public Builder() {}

        /** Must be {@code segmentation}: {@link SegmentationConfig#read} refuses a file with another task. */
        public String task = "segmentation";
        /** {@code fcn_resnet50}, {@code fcn_resnet101} or {@code fcn_small}. Default {@code fcn_resnet50}. */
        public String model = "fcn_resnet50";
        /** Classes including the background at index 0 (VOC: 21); default 21. */
        public int num_classes = 21;
        /** A name per class, background first, {@code num_classes} of them; default null: {@link SegmentationConfig#classNames()}'s. */
        public List<String> class_names;
        /** Whether the model has the auxiliary head on layer3 (its loss weighs 0.5 in training); default true. */
        public boolean aux = true;
        /** Short side in pixels: training scales it randomly in [0.5, 2] x this, evaluation resizes to it; default 520. */
        public int base_size = 520;
        /** Side in pixels of the square training crops (images padded when smaller); default 480. */
        public int crop_size = 480;
        /** Images per training iteration; default 8. */
        public int batch_size = 8;
        /** Training iterations (optimizer steps) in all; default 30 000. */
        public int iterations = 30_000;
        /** Base learning rate of the poly schedule ({@code lr * (1 - it / iterations)^0.9}); default 0.01. */
        public float lr = 0.01f;
        /** SGD momentum, in [0, 1); default 0.9. */
        public float momentum = 0.9f;
        /** L2 weight decay, on every parameter (norms and biases too); default 1e-4. */
        public float weight_decay = 1e-4f;
        /** Seeds the data order and the augmentation, so a run repeats; default 0. */
        public long seed = 0;
        /** Iterations between log lines (losses, learning rate, time); default 20. */
        public int log_every = 20;
        /** Iterations between checkpoints, each followed by a validation, plus one at the end; default 1000. */
        public int checkpoint_every = 1000;

        /**
         * Checks the fields and makes the config.
         *
         * @return a new, immutable config holding copies of the fields
         * @throws IllegalArgumentException at the first problem, naming the field: another task, {@code
         *     class_names} not of {@code num_classes}, an unknown model, a recipe value out of range, or a size
         *     below 1
         */
        public SegmentationConfig build() {
            return new SegmentationConfig(this);
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
