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
 */
public final class SegmentationModelConfig {

    public String task = "segmentation";
    /** {@code fcn_resnet50}, {@code fcn_resnet101} or {@code fcn_small}. */
    public String model = "fcn_resnet50";
    public int num_classes = 21;
    public List<String> class_names;
    public boolean aux = true;
    public int base_size = 520;
    public int crop_size = 480;
    public int batch_size = 8;
    public int iterations = 30_000;
    public float lr = 0.01f;
    public float momentum = 0.9f;
    public float weight_decay = 1e-4f;
    public long seed = 0;
    public int log_every = 20;
    public int checkpoint_every = 1000;

    /** Reads and checks a config; unknown fields are errors (a typo must not be ignored). */
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

    /** The FCN this config describes. */
    public FcnConfig fcn() {
        FcnConfig base = switch (model) {
            case "fcn_resnet50" -> FcnConfig.fcnResnet50();
            case "fcn_resnet101" -> FcnConfig.fcnResnet101();
            case "fcn_small" -> FcnConfig.small(num_classes);
            default -> throw new IllegalArgumentException("unknown model '" + model + "' (fcn_resnet50, fcn_resnet101, fcn_small)");
        };
        return new FcnConfig(base.backbone(), num_classes, aux, base.dropout());
    }

    public List<String> classNames() {
        if (class_names != null) {
            return class_names;
        }
        return java.util.stream.IntStream.range(0, num_classes).mapToObj(i -> "class_" + i).toList();
    }

    public SegmentationTraining.Settings settings() {
        return new SegmentationTraining.Settings(batch_size, iterations, lr, momentum, weight_decay, seed, log_every, checkpoint_every);
    }
}
