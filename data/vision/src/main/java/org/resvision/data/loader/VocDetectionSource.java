package org.resvision.data.loader;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.image.Images;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;
import org.resvision.data.voc.VocAnnotation;
import org.resvision.data.voc.VocFormatException;
import org.resvision.data.voc.VocObject;
import org.resvision.data.voc.VocReader;

/**
 * A PASCAL VOC split for detection training: {@code JPEGImages/<id>.jpg} with the boxes of
 * {@code Annotations/<id>.xml} converted from VOC's 1-based inclusive pixels to {@code [x1 - 1,
 * y1 - 1, x2, y2]}, labels 1..K in the order of {@code classes}, difficult objects dropped unless
 * asked for; then flip (training), normalisation and torchvision's resize.
 *
 * <p>Immutable after construction; {@link #load} may run on several threads at once (as
 * {@link PrefetchLoader}'s workers call it).
 */
public final class VocDetectionSource implements SampleSource {

    private final Path root;
    private final List<String> ids;
    private final List<VocAnnotation> annotations = new ArrayList<>();
    private final List<String> classes;
    private final boolean train;
    private final boolean keepDifficult;
    private final DetectionInput input;

    /**
     * Reads the split's annotations up front, so a broken XML fails before training starts.
     *
     * @param root the VOC folder ({@code JPEGImages/}, {@code Annotations/}, {@code ImageSets/Main/})
     * @param split the split's name, read from {@code ImageSets/Main/<split>.txt}
     * @param classes the class names; label {@code i + 1} is {@code classes.get(i)} (copied)
     * @param train true: random horizontal flip with probability 0.5
     * @param keepDifficult true: objects marked difficult are kept as ordinary objects
     * @param minSize target short side for {@link Transforms#resizeForDetection} (torchvision: 800)
     * @param maxSize cap on the long side for {@link Transforms#resizeForDetection} (torchvision: 1333)
     * @throws VocFormatException when the split file or an annotation is missing or broken, or an object's
     *     class is not in {@code classes}
     * @throws IOException when reading fails otherwise
     */
    public VocDetectionSource(Path root, String split, List<String> classes, boolean train, boolean keepDifficult, int minSize, int maxSize)
            throws IOException {
        this(root, split, classes, train, keepDifficult, DetectionInput.imagenet(minSize, maxSize));
    }

    /**
     * As above, prepared by {@code input} (a detection model's transform and its recipe's flip).
     *
     * @param root the VOC folder
     * @param split the split's name
     * @param classes the class names; label {@code i + 1} is {@code classes.get(i)} (copied)
     * @param train true: random horizontal flips as {@code input} says
     * @param keepDifficult true: objects marked difficult are kept as ordinary objects
     * @param input the flip, normalisation and resize
     * @throws VocFormatException when the split file or an annotation is missing or broken, or an object's
     *     class is not in {@code classes}
     * @throws IOException when reading fails otherwise
     */
    public VocDetectionSource(Path root, String split, List<String> classes, boolean train, boolean keepDifficult, DetectionInput input)
            throws IOException {
        this.root = root;
        this.ids = VocReader.split(root, split);
        this.classes = List.copyOf(classes);
        this.train = train;
        this.keepDifficult = keepDifficult;
        this.input = input;
        for (String id : ids) {
            VocAnnotation a = VocReader.annotation(root, id);
            for (VocObject o : a.objects()) {
                if (!classes.contains(o.name())) {
                    throw new VocFormatException(root.resolve("Annotations/" + id + ".xml"),
                            "class '" + o.name() + "' is not one of " + classes);
                }
            }
            annotations.add(a);
        }
    }

    @Override
    public int size() {
        return ids.size();
    }

    @Override
    public double aspectRatio(int index) {
        VocAnnotation a = annotations.get(index);
        return a.height() <= 0 ? 1 : (double) a.width() / a.height();
    }

    @Override
    public Sample load(int index, Random rnd, NDManager manager) throws IOException {
        var image = Images.read(root.resolve("JPEGImages/" + ids.get(index) + ".jpg"), manager);
        List<float[]> boxes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (VocObject o : annotations.get(index).objects()) {
            if (o.difficult() && !keepDifficult) {
                continue;
            }
            double[] b = o.box();
            boxes.add(new float[] {(float) b[0] - 1, (float) b[1] - 1, (float) b[2], (float) b[3]});
            labels.add(classes.indexOf(o.name()) + 1);
        }
        Sample s = new Sample(image, Boxes.ofRows(boxes.toArray(new float[0][])), labels.stream().mapToInt(Integer::intValue).toArray(), null, null);
        return input.apply(s, train, rnd);
    }
}
