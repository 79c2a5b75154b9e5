package org.resvision.eval.coco;

import java.util.List;
import java.util.stream.IntStream;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.Segmentation;
import org.resvision.data.coco.Segmentations;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.MaskRuns;
import org.resvision.data.mask.Rle;

/**
 * The ground truth's masks as pycocotools' {@code annToRLE} makes them (polygons rasterised and
 * merged, RLEs decoded), one per annotation in file order. Computing them is most of a segm
 * evaluation's set-up; doing it once lets it overlap reading the results, or serve several
 * evaluations of one ground truth.
 *
 * <p>Immutable once made; safe to share between threads, for instance by several evaluations at
 * once (the masks {@link #get} returns are shared: do not modify them).
 */
public final class GroundTruthMasks {

    private final CocoDataset gt;
    private final Rle[] masks; // null for none()

    private GroundTruthMasks(CocoDataset gt, Rle[] masks) {
        this.gt = gt;
        this.masks = masks;
    }

    /**
     * Rasterises every annotation that has a segmentation and a known image, in parallel; the
     * first malformed one (file order) is an error naming it.
     *
     * @param gt the ground truth, kept by reference
     * @return the masks, one slot per annotation of {@code gt} (null for an annotation without
     *     segmentation or whose image is not in {@code gt})
     * @throws CocoEvalException (in the ground truth) for the first annotation, in file order, whose
     *     mask {@link #mask} refuses; it names the annotation and its image
     */
    public static GroundTruthMasks of(CocoDataset gt) throws CocoEvalException {
        List<CocoAnnotation> anns = gt.annotations();
        Rle[] masks = new Rle[anns.size()];
        String[] problems = new String[anns.size()];
        IntStream.range(0, anns.size()).parallel().forEach(j -> {
            CocoAnnotation a = anns.get(j);
            CocoImage im = gt.image(a.imageId());
            if (a.segmentation() != null && im != null) {
                try {
                    masks[j] = mask(a.segmentation(), im);
                } catch (IllegalArgumentException e) {
                    problems[j] = "annotation " + a.id() + " (image " + a.imageId() + "): " + e.getMessage();
                }
            }
        });
        for (String p : problems) {
            if (p != null) {
                throw CocoEvalException.groundTruth(p);
            }
        }
        return new GroundTruthMasks(gt, masks);
    }

    /**
     * The mask of {@code s} in image {@code im}, as pycocotools builds it; anything it would read
     * as garbage (or crash on) is an {@link IllegalArgumentException} with a one-line reason:
     * an image without its size, an empty polygon list, a polygon with an odd count or fewer than
     * 3 points (or, when the first part has 4 numbers, a part that is not a box), an RLE whose size
     * is not the image's (it would never match), runs that do not cover the image.
     *
     * @param s a polygon list, an uncompressed or a compressed RLE, in the image's pixels
     * @param im the image, for its height and width (a negative one means unknown)
     * @return a new mask of {@code im}'s height x width
     */
    public static Rle mask(Segmentation s, CocoImage im) {
        if (im.height() < 0 || im.width() < 0) {
            throw new IllegalArgumentException("image " + im.id() + " has no width and height (segm needs them)");
        }
        if (s instanceof Segmentation.Polygons p) {
            if (p.parts().length == 0) {
                throw new IllegalArgumentException("segmentation is an empty list of polygons");
            }
            boolean boxes = p.parts()[0].length == 4;
            for (double[] part : p.parts()) {
                if (boxes ? part.length != 4 : part.length < 6 || part.length % 2 != 0) {
                    throw new IllegalArgumentException(boxes
                            ? "segmentation mixes boxes (4 numbers) with a polygon of " + part.length + " numbers"
                            : "polygon with " + part.length + " numbers (needs an even count, at least 3 points)");
                }
            }
        }
        Rle r = s.toRle(im.height(), im.width());
        requireSize(r.h(), r.w(), im);
        return r;
    }

    /**
     * Why {@link #mask} would refuse {@code s} in image {@code im}, with the same message, or null;
     * a compressed RLE is checked without making its mask.
     *
     * @param s a polygon list, an uncompressed or a compressed RLE
     * @param im the image
     * @return the one-line reason, or null when {@code mask(s, im)} returns a mask
     */
    public static String problem(Segmentation s, CocoImage im) {
        if (s instanceof Segmentation.CompressedRle c && im.height() >= 0 && im.width() >= 0) {
            String p = MaskApi.fromStringProblem(c.counts(), c.h(), c.w());
            return p != null ? p : sizeProblem(c.h(), c.w(), im);
        }
        try {
            mask(s, im);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * {@link #mask(Segmentation, CocoImage)} of slot {@code d} of a results' mask column; a packed
     * compressed RLE is decoded from its bytes (no string made), with the same checks and messages.
     *
     * @param col the column
     * @param d a slot that holds a segmentation
     * @param im the image, for its height and width
     * @return a new mask of {@code im}'s height x width
     */
    public static Rle mask(Segmentations col, int d, CocoImage im) {
        if (!col.packed(d) || im.height() < 0 || im.width() < 0) {
            return mask(col.get(d), im); // a record, or an image of unknown size: its message
        }
        Rle r = col.decode(d);
        requireSize(r.h(), r.w(), im);
        return r;
    }

    /**
     * {@link #mask(Segmentations, int, CocoImage)} as the runs an IoU reads ({@link MaskRuns#of}); a
     * packed compressed RLE is decoded straight into them, with the same checks and messages.
     *
     * @param col the column
     * @param d a slot that holds a segmentation
     * @param im the image, for its height and width
     * @return the runs of a mask of {@code im}'s height x width
     */
    public static MaskRuns maskRuns(Segmentations col, int d, CocoImage im) {
        if (!col.packed(d) || im.height() < 0 || im.width() < 0) {
            return MaskRuns.of(mask(col, d, im));
        }
        MaskRuns r = col.decodeRuns(d);
        requireSize(r.height(), r.width(), im);
        return r;
    }

    /**
     * {@link #problem(Segmentation, CocoImage)} of slot {@code d} of a results' mask column, a packed
     * compressed RLE checked from its bytes.
     *
     * @param col the column
     * @param d a slot that holds a segmentation
     * @param im the image
     * @return the one-line reason, or null when {@code mask(col, d, im)} returns a mask
     */
    public static String problem(Segmentations col, int d, CocoImage im) {
        if (col.packed(d) && im.height() >= 0 && im.width() >= 0) {
            String p = col.decodeProblem(d);
            return p != null ? p : sizeProblem(col.height(d), col.width(d), im);
        }
        return problem(col.get(d), im);
    }

    /** A mask of {@code h x w} in image {@code im}: refused with {@link #sizeProblem}'s message unless the sizes agree. */
    private static void requireSize(int h, int w, CocoImage im) {
        String size = sizeProblem(h, w, im);
        if (size != null) {
            throw new IllegalArgumentException(size);
        }
    }

    private static String sizeProblem(int h, int w, CocoImage im) {
        return h != im.height() || w != im.width()
                ? "RLE size " + h + "x" + w + " differs from image " + im.id() + "'s " + im.height() + "x" + im.width()
                : null;
    }

    /**
     * No masks (bbox evaluation): the evaluator makes what it needs itself.
     *
     * @param gt the ground truth, kept by reference
     * @return an instance whose {@link #get} is always null and {@link #rasterised()} false
     */
    public static GroundTruthMasks none(CocoDataset gt) {
        return new GroundTruthMasks(gt, null);
    }

    /**
     * The dataset these masks belong to.
     *
     * @return the {@code gt} given to {@link #of} or {@link #none}, the same object
     */
    public CocoDataset dataset() {
        return gt;
    }

    /**
     * The mask of annotation {@code index} (file order), or null (no segmentation, unknown image, or {@link #none}).
     *
     * @param index a position in {@link CocoDataset#annotations()}; outside it, an
     *     {@link ArrayIndexOutOfBoundsException} (null for {@link #none})
     * @return the shared mask, or null
     */
    public Rle get(int index) {
        if (masks == null) {
            return null;
        }
        return masks[index];
    }

    /**
     * Whether the masks were made ({@link #of}), not left to the evaluator ({@link #none}).
     *
     * @return true for {@link #of}, false for {@link #none}
     */
    public boolean rasterised() {
        return masks != null;
    }
}
