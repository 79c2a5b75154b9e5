package org.resvision.eval.coco;

import java.util.List;
import java.util.stream.IntStream;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.mask.Rle;

/**
 * The ground truth's masks as pycocotools' {@code annToRLE} makes them (polygons rasterised and
 * merged, RLEs decoded), one per annotation in file order. Computing them is most of a segm
 * evaluation's set-up; doing it once lets it overlap reading the results, or serve several
 * evaluations of one ground truth.
 */
public final class GroundTruthMasks {

    private final CocoDataset gt;
    private final Rle[] masks;

    private GroundTruthMasks(CocoDataset gt, Rle[] masks) {
        this.gt = gt;
        this.masks = masks;
    }

    /** Rasterises every annotation that has a segmentation and a known image, in parallel. */
    public static GroundTruthMasks of(CocoDataset gt) {
        List<CocoAnnotation> anns = gt.annotations();
        Rle[] masks = new Rle[anns.size()];
        IntStream.range(0, anns.size()).parallel().forEach(j -> {
            CocoAnnotation a = anns.get(j);
            CocoImage im = gt.image(a.imageId());
            if (a.segmentation() != null && im != null) {
                masks[j] = a.segmentation().toRle(im.height(), im.width());
            }
        });
        return new GroundTruthMasks(gt, masks);
    }

    /** No masks (bbox evaluation): the evaluator makes what it needs itself. */
    public static GroundTruthMasks none(CocoDataset gt) {
        return new GroundTruthMasks(gt, new Rle[gt.annotations().size()]);
    }

    /** The dataset these masks belong to. */
    public CocoDataset dataset() {
        return gt;
    }

    /** The mask of annotation {@code index} (file order), or null. */
    Rle get(int index) {
        return masks[index];
    }
}
