package org.resvision.detection.zoo;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.backbone.zoo.PretrainedFiles;
import org.resvision.backbone.zoo.ResVisionRepository;
import org.resvision.backbone.zoo.ZooArguments;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.DetectionTranslator;
import org.resvision.detection.FasterRcnn;
import org.resvision.detection.Pretrained;

/**
 * DJL's {@link BlockFactory} and {@link TranslatorFactory} for Faster R-CNN, named by class in the
 * arguments {@link ResVisionRepository} writes ({@code resvision://} URLs) or a user gives with
 * {@code optModelPath}. The block: the network of the catalog entry ({@code resvision.weights})
 * or of {@code config} (a preset name or a config JSON), with the checkpoint ({@code
 * resvision.file}, else the model path's file) loaded strictly, on the model's manager and
 * device. The translator: {@link DetectionTranslator} of the loaded network's transform and the config's class names (Image to
 * DetectedObjects with class names and normalised rectangles; batchPredict pads a batch).
 *
 * <p>Stateless; safe to share between threads.
 */
public final class FasterRcnnZooFactory implements BlockFactory, TranslatorFactory {

    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
        try {
            String id = ZooArguments.string(arguments, ResVisionRepository.ARG_WEIGHTS);
            if (id != null) {
                PublishedWeights w = WeightsCatalog.get().find(id);
                return Pretrained.load(config(arguments), PretrainedFiles.checkpoint(w), model.getNDManager());
            }
            return Pretrained.load(config(arguments), ZooArguments.checkpoint(model, modelPath, arguments), model.getNDManager());
        } catch (IOException | RuntimeException e) {
            model.close(); // DJL's loader drops the half-built model without closing it
            throw e;
        }
    }

    /**
     * The config of {@code arguments}: the catalog entry's ({@code resvision.weights}), else {@code config}, a
     * preset name or a JSON file.
     */
    static DetectionConfig config(Map<String, ?> arguments) throws IOException {
        String id = ZooArguments.string(arguments, ResVisionRepository.ARG_WEIGHTS);
        if (id != null) {
            return Pretrained.config(WeightsCatalog.get().find(id));
        }
        String config = ZooArguments.string(arguments, ResVisionRepository.ARG_CONFIG);
        if (config == null) {
            throw new IllegalArgumentException("a Faster R-CNN checkpoint needs the argument 'config' (a preset name or a config JSON)");
        }
        Path p = Path.of(config);
        if (config.endsWith(".json") || Files.isRegularFile(p)) {
            return DetectionConfig.read(p);
        }
        return DetectionConfig.preset(config);
    }

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<Type, Type>(Image.class, DetectedObjects.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        if (!isSupported(input, output)) {
            throw new TranslateException("ResVision Faster R-CNN translates Image to DetectedObjects, not " + input.getSimpleName()
                    + " to " + output.getSimpleName());
        }
        if (!(model.getBlock() instanceof FasterRcnn net)) {
            throw new TranslateException("the model's block is not a ResVision FasterRcnn (set blockFactory " + getClass().getName() + ")");
        }
        try {
            return (Translator<I, O>) new DetectionTranslator(net, config(arguments).classNames());
        } catch (IOException | IllegalArgumentException e) {
            throw new TranslateException(e.getMessage(), e);
        }
    }
}
