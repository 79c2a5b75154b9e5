package org.resvision.data.loader;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.image.Images;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;
import org.resvision.data.voc.SegmentationMap;
import org.resvision.data.voc.VocReader;

/**
 * A PASCAL VOC segmentation split ({@code ImageSets/Segmentation/<split>.txt}): image and
 * {@code SegmentationClass} map (255 = ignore), with torchvision's segmentation reference
 * augmentation when training (random resize of the short side in {@code [0.5, 2] x base},
 * flip, pad and crop to {@code crop}), normalised. Evaluation resizes the short side to
 * {@code baseSize}, keeping the aspect ratio. Samples have no boxes; their {@code segMap} is uint8.
 * Every item reports an aspect ratio of 1 (images are not read for it), so grouping puts all in one group.
 *
 * <p>Immutable after construction; {@link #load} may run on several threads at once (as
 * {@link PrefetchLoader}'s workers call it).
 */
public final class VocSegmentationSource implements SampleSource {

    private final Path root;
    private final List<String> ids;
    private final int numClasses;
    private final boolean train;
    private final int baseSize;
    private final int crop;
    private final double minScale;
    private final double maxScale;

    /**
     * A split with torchvision's scale range, 0.5 to 2.
     *
     * @param root the VOC folder ({@code JPEGImages/}, {@code SegmentationClass/}, {@code ImageSets/})
     * @param split the split's name: {@code ImageSets/Segmentation/<split>.txt}, or
     *     {@code ImageSets/Main/<split>.txt} when the former does not exist
     * @param numClasses classes including background (21 for VOC)
     * @param train true: random resize, flip and crop; false: resize only
     * @param baseSize the short side before random scaling (torchvision: 520)
     * @param crop training crop (torchvision: 480)
     * @throws IOException when the split file is missing or cannot be read
     */
    public VocSegmentationSource(Path root, String split, int numClasses, boolean train, int baseSize, int crop) throws IOException {
        this(root, split, numClasses, train, baseSize, crop, 0.5, 2.0);
    }

    /**
     * As above, with the random short-side range {@code [minScale, maxScale] x baseSize} (torchvision: 0.5, 2).
     *
     * @param root the VOC folder ({@code JPEGImages/}, {@code SegmentationClass/}, {@code ImageSets/})
     * @param split the split's name: {@code ImageSets/Segmentation/<split>.txt}, or
     *     {@code ImageSets/Main/<split>.txt} when the former does not exist
     * @param numClasses classes including background (21 for VOC)
     * @param train true: random resize, flip and crop; false: resize only
     * @param baseSize the short side before random scaling (torchvision: 520)
     * @param crop training crop (torchvision: 480)
     * @param minScale smallest random short side, as a fraction of {@code baseSize}; above 0
     * @param maxScale largest random short side, as a fraction of {@code baseSize}; at least {@code minScale}
     * @throws IllegalArgumentException when the scale range is empty or not positive
     * @throws IOException when the split file is missing or cannot be read
     */
    public VocSegmentationSource(Path root, String split, int numClasses, boolean train, int baseSize, int crop,
            double minScale, double maxScale) throws IOException {
        if (minScale <= 0 || maxScale < minScale) {
            throw new IllegalArgumentException("scale range must satisfy 0 < min <= max");
        }
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.root = root;
        this.ids = readSplit(root, split);
        this.numClasses = numClasses;
        this.train = train;
        this.baseSize = baseSize;
        this.crop = crop;
    }

    private static List<String> readSplit(Path root, String split) throws IOException {
        Path seg = root.resolve("ImageSets/Segmentation/" + split + ".txt");
        if (java.nio.file.Files.exists(seg)) {
            return java.nio.file.Files.readAllLines(seg).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return VocReader.split(root, split);
    }

    @Override
    public int size() {
        return ids.size();
    }

    @Override
    public double aspectRatio(int index) {
        return 1;
    }

    @Override
    public Sample load(int index, Random rnd, NDManager manager) throws IOException {
        String id = ids.get(index);
        var image = Images.read(root.resolve("JPEGImages/" + id + ".jpg"), manager);
        SegmentationMap map = VocReader.segmentation(root, id, numClasses);
        if (map.height() != image.getShape().get(1) || map.width() != image.getShape().get(2)) {
            throw new IOException(root.resolve("SegmentationClass/" + id + ".png") + ": size " + map.width() + "x" + map.height()
                    + " differs from the image's " + image.getShape().get(2) + "x" + image.getShape().get(1));
        }
        var seg = manager.create(java.nio.ByteBuffer.wrap(map.labels()), new Shape(map.height(), map.width()), DataType.UINT8);
        Sample s = new Sample(image, Boxes.empty(), new int[0], null, seg);
        if (train) {
            s = Transforms.randomResizeCrop(s, rnd, (int) Math.round(baseSize * minScale), (int) Math.round(baseSize * maxScale), crop);
            s = Transforms.randomHorizontalFlip(s, rnd, 0.5);
        } else {
            int h = (int) s.height();
            int w = (int) s.width();
            int nh = h <= w ? baseSize : (int) Math.max(1, (long) baseSize * h / w);
            int nw = h <= w ? (int) Math.max(1, (long) baseSize * w / h) : baseSize;
            s = Transforms.resize(s, nh, nw);
        }
        return Transforms.normalize(s, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
    }
}
