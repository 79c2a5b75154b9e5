package org.resvision.eval.tide;

import org.resvision.eval.coco.CocoEvalParams.IouType;

/**
 * TIDE's settings, tidecv's defaults unless changed: a detection is a true positive at IoU
 * {@code >= 0.5} with a GT of its class, background below IoU {@code 0.1} with every GT, and at
 * most 100 detections per image (tidecv's {@code Data.max_dets} for COCO), the top-scored of all
 * classes together. Immutable, thread-safe.
 *
 * @param iouType boxes or masks (tidecv's {@code TIDE.BOX} / {@code TIDE.MASK})
 * @param posThreshold the foreground IoU threshold, in (0, 1]
 * @param backgroundThreshold the background IoU threshold, in [0, posThreshold]
 * @param maxDets detections kept per image (all classes together), at least 1
 */
public record TideParams(IouType iouType, double posThreshold, double backgroundThreshold, int maxDets) {

    /** tidecv's {@code pos_threshold}. */
    public static final double DEFAULT_POS_THRESHOLD = 0.5;
    /** tidecv's {@code background_threshold}. */
    public static final double DEFAULT_BACKGROUND_THRESHOLD = 0.1;
    /** tidecv's {@code max_dets} of a COCO dataset. */
    public static final int DEFAULT_MAX_DETS = 100;

    /**
     * Checks the settings.
     *
     * @param iouType boxes or masks; not null
     * @param posThreshold the foreground IoU threshold, in (0, 1]
     * @param backgroundThreshold the background IoU threshold, in [0, posThreshold]
     * @param maxDets detections kept per image (all classes together), at least 1
     * @throws IllegalArgumentException for a setting out of range (or a null {@code iouType}), with a one-line
     *     reason
     */
    public TideParams {
        if (iouType == null) {
            throw new IllegalArgumentException("TIDE needs an iou type (bbox or segm)");
        }
        if (!(posThreshold > 0 && posThreshold <= 1)) {
            throw new IllegalArgumentException("TIDE's positive threshold must be in (0, 1], got " + posThreshold);
        }
        if (!(backgroundThreshold >= 0 && backgroundThreshold <= posThreshold)) {
            throw new IllegalArgumentException("TIDE's background threshold must be in [0, " + posThreshold + "], got "
                    + backgroundThreshold);
        }
        if (maxDets < 1) {
            throw new IllegalArgumentException("TIDE's max detections per image must be at least 1, got " + maxDets);
        }
    }

    /**
     * tidecv's defaults (0.5, 0.1, 100) for {@code iouType}.
     *
     * @param iouType boxes or masks; not null
     * @return the default settings for that mode
     * @throws IllegalArgumentException when {@code iouType} is null
     */
    public static TideParams defaults(IouType iouType) {
        return new TideParams(iouType, DEFAULT_POS_THRESHOLD, DEFAULT_BACKGROUND_THRESHOLD, DEFAULT_MAX_DETS);
    }

    /**
     * A copy with other thresholds.
     *
     * @param pos the new foreground IoU threshold, in (0, 1]
     * @param background the new background IoU threshold, in [0, pos]
     * @return a new instance; this one is unchanged
     * @throws IllegalArgumentException for a threshold out of range
     */
    public TideParams withThresholds(double pos, double background) {
        return new TideParams(iouType, pos, background, maxDets);
    }

    /**
     * A copy with another detection limit per image.
     *
     * @param n detections kept per image (the top-scored of all classes together), at least 1
     * @return a new instance; this one is unchanged
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public TideParams withMaxDets(int n) {
        return new TideParams(iouType, posThreshold, backgroundThreshold, n);
    }

    /**
     * tidecv's name of the mode.
     *
     * @return {@code bbox} for {@code BBOX}, {@code mask} for {@code SEGM}; the {@code mode} of
     *     {@link TideResult#toJson()}
     */
    public String modeName() {
        return iouType == IouType.BBOX ? "bbox" : "mask";
    }
}
