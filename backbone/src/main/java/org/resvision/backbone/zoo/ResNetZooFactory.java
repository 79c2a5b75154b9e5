package org.resvision.backbone.zoo;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.transform.CenterCrop;
import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.ResizeShort;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.translator.ImageClassificationTranslator;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsFormatException;

/**
 * DJL's {@link BlockFactory} and {@link TranslatorFactory} for the catalog's ImageNet ResNets
 * (Image to Classifications), named by {@link ResVisionRepository}. The block: torchvision's
 * ResNet of the entry (or of {@code config}, an architecture name, for one's own checkpoint with
 * ImageNet's 1000 classes), loaded strictly. The translator: DJL's {@link
 * ImageClassificationTranslator} with the entry's preset (shorter side to {@code resize_size},
 * centre crop {@code crop_size}, ImageNet normalisation), softmax, the entry's category names.
 * DJL resizes without torchvision's PIL antialiasing, so probabilities differ slightly from
 * torchvision's on large downscales.
 *
 * <p>Stateless; safe to share between threads (each call builds a new block or translator).
 */
public final class ResNetZooFactory implements BlockFactory, TranslatorFactory {

    private static final long serialVersionUID = 1L;

    /** The catalog entry the arguments name; for one's own checkpoint, an ImageNet entry's facts with {@code config}'s architecture. */
    private static PublishedWeights entry(Map<String, ?> arguments) {
        Object id = arguments.get(ResVisionRepository.ARG_WEIGHTS);
        if (id != null) {
            return WeightsCatalog.get().find(id.toString());
        }
        return WeightsCatalog.get().ofTask("classification").stream().filter(w -> w.categorySet().equals("imagenet1k")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the weights catalog has no ImageNet entry"));
    }

    private static String arch(Map<String, ?> arguments, PublishedWeights w) {
        Object config = arguments.get(ResVisionRepository.ARG_CONFIG);
        return arguments.get(ResVisionRepository.ARG_WEIGHTS) == null && config != null ? config.toString() : w.model();
    }

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
        try {
            PublishedWeights w = entry(arguments);
            Path file = arguments.get(ResVisionRepository.ARG_WEIGHTS) != null ? PretrainedFiles.checkpoint(w)
                    : ZooArguments.checkpoint(model, modelPath, arguments);
            String arch = arch(arguments, w);
            ResNet net = StateDictLoader.uninitializedForStrictLoad(new ResNet(ResNetConfig.of(arch).withNumClasses(w.numClasses())));
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
            try {
                StateDictLoader.load(net, file, model.getNDManager(), "", true);
            } catch (WeightsFormatException e) {
                throw new WeightsFormatException(e.getMessage() + " (a " + arch + " with " + w.numClasses() + " classes expected)");
            }
            return net;
        } catch (IOException | RuntimeException e) {
            model.close(); // DJL's loader drops the half-built model without closing it
            throw e;
        }
    }

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<Type, Type>(Image.class, Classifications.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        if (!isSupported(input, output)) {
            throw new TranslateException("ResVision ResNet translates Image to Classifications, not " + input.getSimpleName() + " to "
                    + output.getSimpleName());
        }
        PublishedWeights w = entry(arguments);
        return (Translator<I, O>) translator(w.transform(), w.categories());
    }

    /**
     * DJL's classification translator for torchvision's preset {@code t}.
     *
     * @param t a {@code classification} preset: uses {@code resizeSize[0]}, {@code cropSize[0]} and
     *     the three {@code mean} / {@code std} values
     * @param categories the class names, index = class index of the model's output
     * @return a new translator: shorter side resized to {@code resizeSize[0]}, centre crop of {@code
     *     cropSize[0]} square, to [0, 1] tensor, normalized, softmax over the logits
     * @throws IndexOutOfBoundsException {@code t} lacks one of those values (a detection or
     *     segmentation preset)
     */
    public static ImageClassificationTranslator translator(PublishedWeights.Transform t, List<String> categories) {
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int i = 0; i < 3; i++) {
            mean[i] = t.mean().get(i).floatValue();
            std[i] = t.std().get(i).floatValue();
        }
        int crop = t.cropSize().get(0);
        return ImageClassificationTranslator.builder().addTransform(new ResizeShort(t.resizeSize().get(0)))
                .addTransform(new CenterCrop(crop, crop)).addTransform(new ToTensor()).addTransform(new Normalize(mean, std))
                .optSynset(categories).optApplySoftmax(true).build();
    }
}
