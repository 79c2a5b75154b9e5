package org.resvision.segmentation;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.backbone.zoo.PretrainedFiles;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsFormatException;

/**
 * An FCN ready to predict, with what goes with it: {@code
 * PretrainedSegmentation.fcn("fcn_resnet50", "COCO_WITH_VOC_LABELS_V1", manager)} builds the
 * catalog model (its categories, the aux head torchvision's checkpoints hold), finds the verified
 * checkpoint ({@link PretrainedFiles}) and loads it strictly. The translator follows torchvision's
 * {@code SemanticSegmentation} preset: shorter side resized to the entry's {@code resize_size}
 * (520), ImageNet normalisation.
 *
 * <p>Thread-safety: the record is shallowly immutable (leave its config unchanged); the model follows
 * {@link Fcn}'s rules: several Predictors, one per thread, may share it for inference.
 *
 * @param model the loaded network (its parameters live in the manager it was loaded with)
 * @param config its config ({@code model}, {@code num_classes}, {@code class_names}, {@code aux})
 * @param categories class names by index, background first
 * @param resizeShortSide the shorter side images are resized to before the model (0: kept)
 * @param weights the catalog entry, or null for a checkpoint of one's own
 */
public record PretrainedSegmentation(Fcn model, SegmentationConfig config, List<String> categories, int resizeShortSide,
        PublishedWeights weights) {

    /**
     * A DJL translator for {@code Model.setBlock(model())}: Image to CategoryMask.
     *
     * @return a new translator with {@code categories} and {@code resizeShortSide}
     */
    public SegmentationTranslator translator() {
        return new SegmentationTranslator(categories, resizeShortSide);
    }

    /**
     * A published checkpoint, loaded.
     *
     * @param model the catalog model ({@code fcn_resnet50})
     * @param weights the weights; null or {@code DEFAULT} for the model's default
     * @throws IllegalArgumentException unknown name (the catalog's message), or not a segmentation entry
     * @param manager owns the parameters (and so sets the device)
     * @return the loaded model with its config, categories and resize
     * @throws IOException the file cannot be had (not cached and offline or unreachable, or a wrong hash),
     *     or does not fit the model (one line)
     */
    public static PretrainedSegmentation fcn(String model, String weights, NDManager manager) throws IOException {
        PublishedWeights w = find(model, weights);
        SegmentationConfig c = config(w);
        return new PretrainedSegmentation(load(c, PretrainedFiles.checkpoint(w), manager), c, w.categories(), shortSide(w), w);
    }

    /**
     * One's own checkpoint for {@code config}, loaded strictly; images are resized to the
     * config's {@code base_size} (torchvision's reference evaluation resize).
     *
     * @param checkpoint the weights file
     * @param config the model's config (not checked again: {@link SegmentationConfig#read} checks)
     * @param manager owns the parameters (and so sets the device)
     * @return the loaded model, {@code weights} null
     * @throws IllegalArgumentException for an unknown {@code model} in the config
     * @throws IOException when the file cannot be read or does not fit the config
     */
    public static PretrainedSegmentation fcn(Path checkpoint, SegmentationConfig config, NDManager manager) throws IOException {
        return new PretrainedSegmentation(load(config, checkpoint, manager), config, config.classNames(), config.baseSize(), null);
    }

    /**
     * The catalog entry of a segmentation model ({@code weights} null or {@code DEFAULT}: its default).
     *
     * @param model the catalog model ({@code fcn_resnet50})
     * @param weights the weights name; null, blank or {@code DEFAULT} for the default
     * @return the entry
     * @throws IllegalArgumentException unknown name (the catalog's message), or not a segmentation entry
     */
    public static PublishedWeights find(String model, String weights) {
        PublishedWeights w = WeightsCatalog.get().find(weights == null || weights.isBlank() ? model : model + ":" + weights);
        if (!w.task().equals("segmentation")) {
            throw new IllegalArgumentException(w.id() + " is a " + w.task() + " checkpoint, not a segmentation one");
        }
        return w;
    }

    /**
     * The config that fits a published checkpoint: its model, categories, and the aux head.
     *
     * @param w a segmentation entry of the catalog
     * @return the config; its {@code base_size} is the entry's resize (520 when the entry has none)
     * @throws IllegalArgumentException when the entry's model is not an FCN this module builds
     */
    public static SegmentationConfig config(PublishedWeights w) {
        SegmentationConfig.Builder c = SegmentationConfig.builder(w.model());
        c.num_classes = w.numClasses();
        c.class_names = w.categories();
        c.aux = true; // torchvision builds its weighted FCNs with aux_loss=True; the checkpoints hold aux_classifier
        if (shortSide(w) > 0) {
            c.base_size = shortSide(w);
        }
        try {
            return c.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(w.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The entry's resize of the shorter side (0 when it has none).
     *
     * @param w a catalog entry
     * @return the first of its {@code resize_size}, in pixels, or 0
     */
    public static int shortSide(PublishedWeights w) {
        List<Integer> r = w.transform().resizeSize();
        return r.isEmpty() ? 0 : r.get(0);
    }

    /**
     * An FCN of {@code c} with {@code file} loaded strictly.
     *
     * @param c the config the checkpoint was trained with
     * @param file a torchvision state dict ({@code .pth}) or ResVision safetensors file
     * @param manager owns the parameters (and so sets the device)
     * @return the network, ready for inference
     * @throws IllegalArgumentException for an unknown {@code model} in the config
     * @throws IOException when the file cannot be read, or does not fit (a {@code WeightsFormatException}
     *     whose one-line message names the model and class count expected; the parameters are then closed)
     */
    public static Fcn load(SegmentationConfig c, Path file, NDManager manager) throws IOException {
        Fcn fcn = StateDictLoader.uninitializedForStrictLoad(Fcn.of(c.model()));
        fcn.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        try {
            StateDictLoader.load(fcn, file, manager, "", true);
        } catch (WeightsFormatException e) {
            fcn.getParameters().forEach(p -> p.getValue().close());
            throw new WeightsFormatException(e.getMessage() + " (a " + c.preset() + " with " + c.model().numClasses() + " classes expected)");
        }
        return fcn;
    }
}
