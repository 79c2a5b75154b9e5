package org.resvision.segmentation.zoo;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.backbone.zoo.PretrainedFiles;
import org.resvision.backbone.zoo.ResVisionRepository;
import org.resvision.backbone.zoo.ZooArguments;
import org.resvision.segmentation.PretrainedSegmentation;
import org.resvision.segmentation.SegmentationConfig;
import org.resvision.segmentation.SegmentationTranslator;

/**
 * DJL's {@link BlockFactory} and {@link TranslatorFactory} for FCN, named by class in the
 * arguments {@link ResVisionRepository} writes ({@code resvision://} URLs) or a user gives with
 * {@code optModelPath}. The block: the FCN of the catalog entry ({@code resvision.weights}) or of
 * {@code config} (a preset name {@code fcn_resnet50}, {@code fcn_resnet101}, {@code fcn_small}
 * with 21 classes, or a segmentation config JSON), checkpoint loaded strictly on the model's
 * manager and device. The translator: {@link SegmentationTranslator} (Image to CategoryMask) with
 * the entry's categories and resize (the config's class names and {@code base_size}).
 *
 * <p>Stateless; safe to share between threads.
 */
public final class FcnZooFactory implements BlockFactory, TranslatorFactory {

    private static final long serialVersionUID = 1L;

    /** What the arguments describe: a config, and the catalog entry when there is one. */
    private record Setup(SegmentationConfig config, List<String> classes, int shortSide) {}

    private static Setup setup(Map<String, ?> arguments) throws IOException {
        String id = ZooArguments.string(arguments, ResVisionRepository.ARG_WEIGHTS);
        if (id != null) {
            PublishedWeights w = WeightsCatalog.get().find(id);
            return new Setup(PretrainedSegmentation.config(w), w.categories(), PretrainedSegmentation.shortSide(w));
        }
        String config = ZooArguments.string(arguments, ResVisionRepository.ARG_CONFIG);
        if (config == null) {
            throw new IllegalArgumentException("an FCN checkpoint needs the argument 'config' (a preset name or a config JSON)");
        }
        SegmentationConfig c;
        Path p = Path.of(config);
        if (config.endsWith(".json") || Files.isRegularFile(p)) {
            c = SegmentationConfig.read(p);
        } else {
            c = SegmentationConfig.builder(config).build(); // unknown preset: its message
        }
        return new Setup(c, c.classNames(), c.baseSize());
    }

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
        try {
            String id = ZooArguments.string(arguments, ResVisionRepository.ARG_WEIGHTS);
            Path file = id != null ? PretrainedFiles.checkpoint(WeightsCatalog.get().find(id)) : ZooArguments.checkpoint(model, modelPath, arguments);
            return PretrainedSegmentation.load(setup(arguments).config(), file, model.getNDManager());
        } catch (IOException | RuntimeException e) {
            model.close(); // DJL's loader drops the half-built model without closing it
            throw e;
        }
    }

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<Type, Type>(Image.class, CategoryMask.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        if (!isSupported(input, output)) {
            throw new TranslateException("ResVision FCN translates Image to CategoryMask, not " + input.getSimpleName() + " to "
                    + output.getSimpleName());
        }
        try {
            Setup s = setup(arguments);
            return (Translator<I, O>) new SegmentationTranslator(s.classes(), s.shortSide());
        } catch (IOException e) {
            throw new TranslateException(e.getMessage(), e);
        }
    }
}
