package org.resvision.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code AnchorGenerator}: per feature level, base anchors for each (aspect ratio,
 * size) pair, {@code round()}-ed half to even, shifted over the level's grid with stride {@code
 * padded image size // grid size}. Anchor order: level, then y, then x, then base anchor.
 * Defaults ({@link #fasterRcnnDefaults()}): sizes 32..512 (one per level), ratios 0.5, 1, 2.
 *
 * <p>Immutable after construction (it keeps the arrays it was given: do not change them); safe to
 * share between threads.
 */
public final class AnchorGenerator {

    private final float[][] sizes;
    private final float[][] ratios;
    private final List<float[]> cellAnchors = new ArrayList<>();

    /**
     * Base anchors per level from sizes and aspect ratios.
     *
     * @param sizes per level, anchor sizes in pixels (square root of the area)
     * @param ratios per level, aspect ratios (height / width)
     * @throws IllegalArgumentException when the two have different level counts
     */
    public AnchorGenerator(float[][] sizes, float[][] ratios) {
        if (sizes.length != ratios.length) {
            throw new IllegalArgumentException(sizes.length + " anchor size sets but " + ratios.length + " aspect ratio sets");
        }
        this.sizes = sizes;
        this.ratios = ratios;
        for (int l = 0; l < sizes.length; l++) {
            cellAnchors.add(baseAnchors(sizes[l], ratios[l]));
        }
    }

    /**
     * torchvision's Faster R-CNN anchors for the five FPN levels.
     *
     * @return sizes 32, 64, 128, 256, 512 (one per level), ratios 0.5, 1, 2 on each: 3 anchors per location
     */
    public static AnchorGenerator fasterRcnnDefaults() {
        float[][] sizes = {{32}, {64}, {128}, {256}, {512}};
        float[][] ratios = new float[5][];
        for (int i = 0; i < 5; i++) {
            ratios[i] = new float[] {0.5f, 1f, 2f};
        }
        return new AnchorGenerator(sizes, ratios);
    }

    /**
     * Anchors per location on each level (the RPN head's {@code num_anchors}).
     *
     * @return ratios x sizes of a level, the same on every level
     * @throws IllegalStateException when levels have different counts (one RPN head cannot serve them)
     */
    public int anchorsPerLocation() {
        int a = cellAnchors.get(0).length / 4;
        for (float[] c : cellAnchors) {
            if (c.length / 4 != a) {
                throw new IllegalStateException("levels have different anchor counts; the RPN head needs one");
            }
        }
        return a;
    }

    /**
     * The feature levels anchors are defined for.
     *
     * @return how many size sets were given
     */
    public int levels() {
        return sizes.length;
    }

    /** {@code generate_anchors}: [-w/2, -h/2, w/2, h/2] for each ratio then size, rounded. */
    static float[] baseAnchors(float[] scales, float[] aspectRatios) {
        float[] out = new float[aspectRatios.length * scales.length * 4];
        int k = 0;
        for (float r : aspectRatios) {
            float hr = (float) Math.sqrt(r);
            float wr = 1f / hr;
            for (float s : scales) {
                float ws = wr * s;
                float hs = hr * s;
                out[k++] = (float) Math.rint(-ws / 2f);
                out[k++] = (float) Math.rint(-hs / 2f);
                out[k++] = (float) Math.rint(ws / 2f);
                out[k++] = (float) Math.rint(hs / 2f);
            }
        }
        return out;
    }

    /**
     * The anchors of an image batch padded to {@code imageH x imageW} with feature grids {@code
     * grids[l] = {h, w}}: a flat box array over all levels, and per-level counts in {@code
     * perLevel}.
     *
     * @param imageH the padded batch's height in pixels
     * @param imageW the padded batch's width in pixels
     * @param grids per level {@code {h, w}} of its feature map
     * @param perLevel filled with each level's anchor count; at least {@code grids.length} long
     * @return flat {@code x1, y1, x2, y2} anchors in pixels, ordered level, y, x, base anchor
     * @throws IllegalArgumentException when {@code grids} has another level count than this generator
     */
    public float[] anchors(int imageH, int imageW, int[][] grids, int[] perLevel) {
        if (grids.length != cellAnchors.size()) {
            throw new IllegalArgumentException("anchors defined for " + cellAnchors.size() + " levels but the backbone gives " + grids.length);
        }
        int total = 0;
        for (int l = 0; l < grids.length; l++) {
            perLevel[l] = grids[l][0] * grids[l][1] * cellAnchors.get(l).length / 4;
            total += perLevel[l];
        }
        float[] out = new float[total * 4];
        int k = 0;
        for (int l = 0; l < grids.length; l++) {
            int gh = grids[l][0];
            int gw = grids[l][1];
            long strideY = imageH / gh;
            long strideX = imageW / gw;
            float[] base = cellAnchors.get(l);
            for (int y = 0; y < gh; y++) {
                float sy = y * strideY;
                for (int x = 0; x < gw; x++) {
                    float sx = x * strideX;
                    for (int a = 0; a < base.length; a += 4) {
                        out[k++] = sx + base[a];
                        out[k++] = sy + base[a + 1];
                        out[k++] = sx + base[a + 2];
                        out[k++] = sy + base[a + 3];
                    }
                }
            }
        }
        return out;
    }
}
