package org.resvision.segmentation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.resvision.data.json.JsonErrors;

/**
 * A segmentation config file (JSON): the model and the training recipe, every field with
 * torchvision's reference default. Example:
 *
 * <pre>{"task": "segmentation", "model": "fcn_small", "num_classes": 5,
 *  "class_names": ["background", "circle", "rectangle", "triangle", "star"],
 *  "base_size": 64, "crop_size": 64, "batch_size": 8, "iterations": 200, "lr": 0.02}</pre>
 *
 * <p>Not thread-safe: a mutable bean. Fill it in, then treat it as read-only; the objects built from it
 * ({@link #fcn()}, {@link #settings()}) are snapshots, but {@link #classNames()} returns its own list.
 */
public final class SegmentationModelConfig {

    /** Must be {@code segmentation}: {@link #read} refuses a file with another task. */
    public String task = "segmentation";
    /** {@code fcn_resnet50}, {@code fcn_resnet101} or {@code fcn_small}. Default {@code fcn_resnet50}. */
    public String model = "fcn_resnet50";
    /** Classes including the background at index 0 (VOC: 21); default 21. */
    public int num_classes = 21;
    /** A name per class, background first, {@code num_classes} of them; default null: {@link #classNames()}'s. */
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
     * Reads and checks a config; unknown fields are errors (a typo must not be ignored).
     *
     * @param file a JSON object; fields left out keep their defaults
     * @return the config
     * @throws IOException a one-line message starting with the file: no such file, malformed JSON or a wrong
     *     value (with line and column), an unknown field, another task, {@code class_names} not of
     *     {@code num_classes}, an unknown model, a recipe value out of range, or a size below 1
     */
    public static SegmentationModelConfig read(Path file) throws IOException {
        SegmentationModelConfig c;
        try {
            c = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // "iterations": 4.5 is an error, not 4
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES) // and null is not 0
                    .readValue(file.toFile(), SegmentationModelConfig.class);
        } catch (JsonProcessingException e) {
            throw JsonErrors.describe(file, e);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new IOException(file + ": no such config file");
        }
        if (!"segmentation".equals(c.task)) {
            throw new IOException(file + ": task is '" + c.task + "', expected 'segmentation'");
        }
        if (c.class_names != null && c.class_names.size() != c.num_classes) {
            throw new IOException(file + ": " + c.class_names.size() + " class_names for num_classes " + c.num_classes);
        }
        try {
            c.fcn();
            org.resvision.backbone.train.Recipe.check(c.batch_size, c.iterations, c.lr, c.momentum, c.weight_decay, c.log_every,
                    c.checkpoint_every);
            if (c.base_size < 1 || c.crop_size < 1) {
                throw new IllegalArgumentException("base_size " + c.base_size + " and crop_size " + c.crop_size + " must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        return c;
    }

    /**
     * The FCN this config describes.
     *
     * @return the {@code model} preset with this config's {@code num_classes} and {@code aux}
     * @throws IllegalArgumentException for an unknown {@code model}
     */
    public FcnConfig fcn() {
        FcnConfig base = switch (model) {
            case "fcn_resnet50" -> FcnConfig.fcnResnet50();
            case "fcn_resnet101" -> FcnConfig.fcnResnet101();
            case "fcn_small" -> FcnConfig.small(num_classes);
            default -> throw new IllegalArgumentException("unknown model '" + model + "' (fcn_resnet50, fcn_resnet101, fcn_small)");
        };
        return new FcnConfig(base.backbone(), num_classes, aux, base.dropout());
    }

    /**
     * The class names, background first.
     *
     * @return {@code class_names} itself when set (not a copy), else a new immutable list {@code class_0 ..
     *     class_<num_classes - 1>}
     */
    public List<String> classNames() {
        if (class_names != null) {
            return class_names;
        }
        return java.util.stream.IntStream.range(0, num_classes).mapToObj(i -> "class_" + i).toList();
    }

    /**
     * The training recipe of this config.
     *
     * @return a new record of the batch size, iterations, lr, momentum, weight decay, seed, log and checkpoint
     *     intervals
     */
    public SegmentationTraining.Settings settings() {
        return new SegmentationTraining.Settings(batch_size, iterations, lr, momentum, weight_decay, seed, log_every, checkpoint_every);
    }
}
