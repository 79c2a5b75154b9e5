package org.resvision.data.loader;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.image.Images;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

/**
 * COCO images and boxes for detection training, as torchvision's reference prepares them:
 * crowd annotations dropped, boxes converted to {@code x1, y1, x2, y2} and clipped to the image,
 * boxes without positive width and height dropped, categories mapped to labels 1..K. Then:
 * random horizontal flip (training), normalisation (ImageNet's mean and std unless given), torchvision's resize.
 *
 * <p>Immutable after construction; {@link #load} may run on several threads at once (as
 * {@link PrefetchLoader}'s workers call it).
 */
public final class CocoDetectionSource implements SampleSource {

    private final CocoDataset dataset;
    private final Path imageDir;
    private final boolean train;
    private final DetectionInput input;
    private final Map<Long, Integer> labelOf;
    private final Map<Long, List<CocoAnnotation>> byImage = new HashMap<>();

    /**
     * One item per entry of {@code dataset.images()}, in that order (images without annotations included).
     *
     * @param dataset the instances file, read and, if wanted, validated ({@link
     *     org.resvision.data.coco.CocoValidator}); its annotations are indexed by image here
     * @param imageDir the folder that images' {@code file_name}s are relative to
     * @param train true: random horizontal flip with probability 0.5
     * @param minSize target short side for {@link Transforms#resizeForDetection} (torchvision: 800)
     * @param maxSize cap on the long side for {@link Transforms#resizeForDetection} (torchvision: 1333)
     */
    public CocoDetectionSource(CocoDataset dataset, Path imageDir, boolean train, int minSize, int maxSize) {
        this(dataset, imageDir, train, DetectionInput.imagenet(minSize, maxSize));
    }

    /**
     * One item per entry of {@code dataset.images()}, normalised and flipped as a model's config says
     * (a detection config's {@code image_mean}, {@code image_std} and {@code horizontal_flip}).
     *
     * @param dataset the instances file, read and, if wanted, validated
     * @param imageDir the folder that images' {@code file_name}s are relative to
     * @param train true: random horizontal flip with probability {@code flipProbability}
     * @param minSize target short side for {@link Transforms#resizeForDetection}
     * @param maxSize cap on the long side for {@link Transforms#resizeForDetection}
     * @param mean per-channel mean (RGB, on 0..1 pixels) subtracted
     * @param std per-channel standard deviation divided by
     * @param flipProbability the chance of a horizontal flip in training, 0 to 1 (0: never)
     * @throws IllegalArgumentException when mean or std does not hold 3 values, a std is not
     *     positive, or the probability is outside [0, 1]
     */
    public CocoDetectionSource(CocoDataset dataset, Path imageDir, boolean train, int minSize, int maxSize,
            float[] mean, float[] std, double flipProbability) {
        this(dataset, imageDir, train, new DetectionInput(minSize, maxSize, mean, std, flipProbability));
    }

    /**
     * One item per entry of {@code dataset.images()}, prepared by {@code input} (a detection model's
     * transform and its recipe's flip).
     *
     * @param dataset the instances file, read and, if wanted, validated
     * @param imageDir the folder that images' {@code file_name}s are relative to
     * @param train true: random horizontal flips as {@code input} says
     * @param input the flip, normalisation and resize
     */
    public CocoDetectionSource(CocoDataset dataset, Path imageDir, boolean train, DetectionInput input) {
        this.dataset = dataset;
        this.imageDir = imageDir;
        this.train = train;
        this.input = input;
        this.labelOf = null;
        for (CocoAnnotation a : dataset.annotations()) {
            byImage.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
        }
    }

    private CocoDetectionSource(CocoDetectionSource s, Map<Long, Integer> labelOf) {
        this.dataset = s.dataset;
        this.imageDir = s.imageDir;
        this.train = s.train;
        this.input = s.input;
        this.labelOf = labelOf;
        this.byImage.putAll(s.byImage);
    }

    /**
     * The same images with labels given by a model's classes instead of the dataset's category order
     * (a config whose {@code class_names} list the dataset's names in another order).
     *
     * @param categoryIdOfLabel the category id of each label, background ({@code -1}) first; a category
     *     absent from it is dropped from the targets
     * @return a new source; this one is unchanged
     */
    public CocoDetectionSource withLabels(long[] categoryIdOfLabel) {
        Map<Long, Integer> map = new HashMap<>();
        for (int label = 1; label < categoryIdOfLabel.length; label++) {
            if (categoryIdOfLabel[label] >= 0) {
                map.put(categoryIdOfLabel[label], label);
            }
        }
        return new CocoDetectionSource(this, map);
    }

    @Override
    public int size() {
        return dataset.images().size();
    }

    @Override
    public double aspectRatio(int index) {
        CocoImage im = dataset.images().get(index);
        return im.height() <= 0 ? 1 : (double) im.width() / im.height();
    }

    @Override
    public Sample load(int index, Random rnd, NDManager manager) throws IOException {
        CocoImage im = dataset.images().get(index);
        var image = Images.read(imageDir.resolve(im.fileName()), manager);
        long h = image.getShape().get(1);
        long w = image.getShape().get(2);
        List<float[]> boxes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (CocoAnnotation a : byImage.getOrDefault(im.id(), List.of())) {
            if (a.iscrowd() || a.bbox() == null) {
                continue;
            }
            double[] b = a.bbox();
            float x1 = (float) Math.max(0, Math.min(w, b[0]));
            float y1 = (float) Math.max(0, Math.min(h, b[1]));
            float x2 = (float) Math.max(0, Math.min(w, b[0] + b[2]));
            float y2 = (float) Math.max(0, Math.min(h, b[1] + b[3]));
            int label = labelOf == null ? dataset.label(a.categoryId()) : labelOf.getOrDefault(a.categoryId(), -1);
            if (x2 > x1 && y2 > y1 && label > 0) {
                boxes.add(new float[] {x1, y1, x2, y2});
                labels.add(label);
            }
        }
        Sample s = new Sample(image, Boxes.ofRows(boxes.toArray(new float[0][])), labels.stream().mapToInt(Integer::intValue).toArray(), null, null);
        return input.apply(s, train, rnd);
    }
}
