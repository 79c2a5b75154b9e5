package org.resvision.detection;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.backbone.zoo.PretrainedFiles;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsFormatException;

/**
 * A Faster R-CNN ready to predict, with what goes with it: {@code
 * Pretrained.fasterRcnn("fasterrcnn_resnet50_fpn_v2", "COCO_V1", manager)} builds the catalog
 * model's {@link DetectionConfig} preset with the checkpoint's categories, finds the verified
 * checkpoint ({@link PretrainedFiles}) and loads it strictly.
 *
 * <p>torchvision's quirk kept: {@code fasterrcnn_resnet50_fpn} {@code COCO_V1} is loaded with
 * FrozenBatchNorm eps 0.0 ({@code overwrite_eps}); every other entry keeps its preset's norm.
 *
 * <p>Thread-safety: the record is immutable but for the model, which follows {@link FasterRcnn}'s rules: several Predictors, one per thread, may share it for inference.
 *
 * @param model the loaded network (its parameters live in the manager it was loaded with)
 * @param config its config (preset, {@code num_classes} and {@code class_names} of the checkpoint)
 * @param categories class names by index, background first
 * @param weights the catalog entry, or null for a checkpoint of one's own
 */
public record Pretrained(FasterRcnn model, DetectionConfig config, List<String> categories, PublishedWeights weights) {

    /**
     * The model's transform.
     *
     * @return torchvision's {@code GeneralizedRCNNTransform} of the config ({@link FasterRcnn#transform()})
     */
    public DetectionTransform transform() {
        return model.transform();
    }

    /**
     * A DJL translator for {@code Model.setBlock(model())}: Image to DetectedObjects.
     *
     * @return a new translator of the model's transform and the categories (class names, normalised rectangles)
     */
    public DetectionTranslator translator() {
        return new DetectionTranslator(model, categories);
    }

    /**
     * A published checkpoint, loaded.
     *
     * @param model the catalog model ({@code fasterrcnn_resnet50_fpn})
     * @param weights the weights ({@code COCO_V1}); null or {@code DEFAULT} for the model's default
     * @throws IllegalArgumentException unknown name (the catalog's message), or not a detection entry
     * @param manager owns the parameters (and so sets the device)
     * @return the loaded model with its config, categories and transform
     * @throws IOException the file cannot be had (not cached and offline or unreachable, or a wrong hash),
     *     or does not fit the model (one line)
     */
    public static Pretrained fasterRcnn(String model, String weights, NDManager manager) throws IOException {
        PublishedWeights w = find(model, weights);
        DetectionConfig c = config(w);
        return new Pretrained(load(c, PretrainedFiles.checkpoint(w), manager), c, w.categories(), w);
    }

    /**
     * One's own checkpoint (torchvision state dict or ResVision safetensors) for {@code config}, loaded strictly.
     *
     * @param checkpoint the weights file
     * @param config the model's config; its {@code class_names} (or generated names) become the categories
     * @param manager owns the parameters (and so sets the device)
     * @return the loaded model, {@code weights} null
     * @throws IOException when the file cannot be read or does not fit the config (every parameter must be
     *     there, with its shape)
     */
    public static Pretrained fasterRcnn(Path checkpoint, DetectionConfig config, NDManager manager) throws IOException {
        return new Pretrained(load(config, checkpoint, manager), config, config.classNames(), null);
    }

    /**
     * The catalog entry of a detection model ({@code weights} null or {@code DEFAULT}: its default).
     *
     * @param model the catalog model ({@code fasterrcnn_resnet50_fpn_v2})
     * @param weights the weights name ({@code COCO_V1}); null, blank or {@code DEFAULT} for the default
     * @return the entry
     * @throws IllegalArgumentException unknown name (the catalog's message), or not a detection entry
     */
    public static PublishedWeights find(String model, String weights) {
        PublishedWeights w = WeightsCatalog.get().find(weights == null || weights.isBlank() ? model : model + ":" + weights);
        if (!w.task().equals("detection")) {
            throw new IllegalArgumentException(w.id() + " is a " + w.task() + " checkpoint, not a detection one");
        }
        return w;
    }

    /**
     * The config that fits a published checkpoint: the model's preset, its categories, torchvision's eps.
     *
     * @param w a detection entry of the catalog
     * @return the config
     * @throws IllegalArgumentException when no preset has the entry's model name, or the result is not valid
     */
    public static DetectionConfig config(PublishedWeights w) {
        DetectionConfig.Builder c;
        try {
            c = DetectionConfig.builder(w.model());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(w.id() + ": no DetectionConfig preset for it: " + e.getMessage(), e);
        }
        c.num_classes = w.numClasses();
        c.class_names = w.categories();
        if (w.model().equals("fasterrcnn_resnet50_fpn") && w.weights().equals("COCO_V1")) {
            c.norm_eps = 0f; // torchvision: overwrite_eps(model, 0.0) for these weights
        }
        return c.build();
    }

    /**
     * A network of {@code c} with {@code file} loaded strictly.
     *
     * @param c the config the checkpoint was trained with
     * @param file a torchvision state dict ({@code .pth}) or ResVision safetensors file
     * @param manager owns the parameters (and so sets the device)
     * @return the network, ready for inference
     * @throws IOException when the file cannot be read, or does not fit (a {@code WeightsFormatException}
     *     whose one-line message names the model and class count expected; the parameters are then closed)
     */
    public static FasterRcnn load(DetectionConfig c, Path file, NDManager manager) throws IOException {
        FasterRcnn net = StateDictLoader.uninitializedForStrictLoad(FasterRcnn.of(c)).init(manager);
        try {
            StateDictLoader.load(net, file, manager, "", true);
        } catch (WeightsFormatException e) {
            net.getParameters().forEach(p -> p.getValue().close());
            throw new WeightsFormatException(e.getMessage() + " (a " + c.preset() + " with " + c.model().numClasses() + " classes expected)");
        }
        return net;
    }
}
