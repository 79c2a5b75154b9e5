package org.resvision.eval.coco;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code computeIoU} + {@code evaluateImg} of a {@link CocoMatching} with DJL on a device: the box
 * IoU matrices and the greedy matching of every (category, image) cell, area range and IoU
 * threshold run as batched NDArray operations, in float64, one detection rank at a time (the
 * matching of a cell is sequential in its detections; cells, area ranges and thresholds are not).
 * Mask IoU (segm) stays on the host (RLE arithmetic); its matching runs here too.
 *
 * <p>Exact: the IoU is {@code MaskApi.boxIou}'s arithmetic, each operation its own kernel (IEEE
 * double add, multiply, divide, min, max: no fused or reassociated step), and the matching picks
 * what COCOeval's loop picks: among the ground truth not yet matched (crowds always available)
 * with IoU at least the threshold, the last of the highest IoU among the not-ignored ones, or when
 * there is none, among the ignored ones. The records it writes equal {@link
 * CocoMatching#evaluateCell}'s bit for bit ({@code DeviceMatchingTest}, on the CPU engine).
 *
 * <p>Cells are grouped by their detection and ground-truth counts rounded up to powers of two, so
 * padding stays small; a group runs in batches of at most {@link #BATCH_ELEMENTS} matching-state
 * elements. Cells without ground truth or without detections have nothing to match and are done
 * by the host code.
 */
final class DeviceMatching {

    /** Cells x area ranges x thresholds x ground truth per batch (a few hundred MB of device memory). */
    static final long BATCH_ELEMENTS = 1L << 24;

    private DeviceMatching() {}

    /**
     * Fills {@code m.records} for the cells {@code busy} (those with ground truth or detections);
     * {@code slot.apply(b)} is the record of cell {@code busy[b]}.
     */
    static void evaluate(CocoMatching m, Device device, int[] busy, java.util.function.IntFunction<CocoMatching.CellRecord> slot) {
        List<Integer> hostCells = new ArrayList<>();
        Map<Long, List<Integer>> groups = new TreeMap<>();
        for (int b = 0; b < busy.length; b++) {
            int c = busy[b];
            int g = m.gCellStart[c + 1] - m.gCellStart[c];
            int d = Math.min(m.dCellStart[c + 1] - m.dCellStart[c], m.maxDet);
            if (g == 0 || d == 0) {
                hostCells.add(b);
            } else {
                groups.computeIfAbsent(((long) pow2(d) << 32) | pow2(g), k -> new ArrayList<>()).add(b);
            }
        }
        hostCells.parallelStream().forEach(b -> m.records[busy[b]] = m.evaluateCell(busy[b], slot.apply(b)));
        try (NDManager manager = NDManager.newBaseManager(device)) {
            for (Map.Entry<Long, List<Integer>> e : groups.entrySet()) {
                int dp = (int) (e.getKey() >>> 32);
                int gp = (int) (long) e.getKey();
                List<Integer> cs = e.getValue();
                int per = (int) Math.max(1, BATCH_ELEMENTS / ((long) m.A * m.T * gp * Math.max(1, dp / 8)));
                for (int from = 0; from < cs.size(); from += per) {
                    batch(m, manager, busy, slot, cs.subList(from, Math.min(cs.size(), from + per)), dp, gp);
                }
            }
        }
    }

    private static int pow2(int n) {
        return Integer.highestOneBit(Math.max(1, n - 1)) << (n > 1 ? 1 : 0);
    }

    /** One batch of busy cells ({@code busy[b]} for b in {@code cells}), each with at most {@code dp} detections and {@code gp} ground truth. */
    private static void batch(CocoMatching m, NDManager root, int[] busy, java.util.function.IntFunction<CocoMatching.CellRecord> slot,
            List<Integer> cells, int dp, int gp) {
        int C = cells.size();
        int A = m.A;
        int T = m.T;
        int[][] gsOf = new int[C][];
        int[][] dsOf = new int[C][];
        double[] db = new double[C * dp * 4];
        double[] da = new double[C * dp];
        double[] gb = new double[C * gp * 4];
        double[] ga = new double[C * gp];
        boolean[] gCrowd = new boolean[C * gp];
        boolean[] gValid = new boolean[C * gp];
        boolean[] gIdNonZero = new boolean[C * gp];
        boolean[] dValid = new boolean[C * dp];
        double[] hostIou = m.segm ? new double[C * dp * gp] : null;
        for (int i = 0; i < C; i++) {
            int c = busy[cells.get(i)];
            int[] gs = java.util.Arrays.copyOfRange(m.gOrder, m.gCellStart[c], m.gCellStart[c + 1]);
            int[] ds = m.sortedDets(c);
            gsOf[i] = gs;
            dsOf[i] = ds;
            for (int d = 0; d < ds.length; d++) {
                System.arraycopy(m.dBox, 4 * ds[d], db, 4 * (i * dp + d), 4);
                da[i * dp + d] = m.dArea[ds[d]];
                dValid[i * dp + d] = true;
            }
            for (int j = 0; j < gs.length; j++) {
                System.arraycopy(m.gBox[gs[j]], 0, gb, 4 * (i * gp + j), 4);
                ga[i * gp + j] = m.gArea[gs[j]];
                gCrowd[i * gp + j] = m.gCrowd[gs[j]];
                gValid[i * gp + j] = true;
                gIdNonZero[i * gp + j] = m.gId[gs[j]] != 0;
            }
            if (hostIou != null) {
                double[][] o = m.ious(ds, gs);
                for (int d = 0; d < ds.length; d++) {
                    System.arraycopy(o[d], 0, hostIou, (i * dp + d) * gp, gs.length);
                }
            }
        }
        byte[] flags;
        long[] matched;
        try (NDManager nm = root.newSubManager()) {
            NDArray crowd = nm.create(gCrowd, new Shape(C, gp));
            NDArray iou = hostIou != null ? nm.create(hostIou, new Shape(C, dp, gp)) : boxIou(nm, db, gb, crowd, C, dp, gp);
            // ground truth ignored per area range: crowd, or its area outside the range [C, A, 1, G]
            double[][] ranges = m.p.areaRanges();
            double[] lo = new double[A];
            double[] hi = new double[A];
            for (int a = 0; a < A; a++) {
                lo[a] = ranges[a][0];
                hi[a] = ranges[a][1];
            }
            NDArray loA = nm.create(lo, new Shape(1, A, 1));
            NDArray hiA = nm.create(hi, new Shape(1, A, 1));
            NDArray gArea = nm.create(ga, new Shape(C, 1, gp));
            NDArray ig = crowd.reshape(C, 1, gp).logicalOr(gArea.lt(loA)).logicalOr(gArea.gt(hiA)).reshape(C, A, 1, gp);
            NDArray valid = nm.create(gValid, new Shape(C, 1, 1, gp));
            NDArray crowd4 = crowd.reshape(C, 1, 1, gp);
            NDArray idNonZero = nm.create(gIdNonZero, new Shape(C, 1, 1, gp));
            double[] thr = new double[T];
            for (int t = 0; t < T; t++) {
                thr[t] = Math.min(m.p.iouThresholds()[t], 1 - 1e-10);
            }
            NDArray thrT = nm.create(thr, new Shape(1, 1, T, 1));
            NDArray dAreaAll = nm.create(da, new Shape(C, dp));
            NDArray dOut = dAreaAll.reshape(C, 1, dp).lt(loA).logicalOr(dAreaAll.reshape(C, 1, dp).gt(hiA)); // [C, A, D]
            NDArray dOk = nm.create(dValid, new Shape(C, dp));
            NDArray idx = nm.arange(0, gp, 1, DataType.INT64).reshape(1, 1, 1, gp);
            NDArray minusOne = nm.create(-1L);
            NDArray taken = nm.zeros(new Shape(C, A, T, gp), DataType.BOOLEAN);
            List<NDArray> flagRows = new ArrayList<>(dp);
            List<NDArray> matchRows = new ArrayList<>(dp);
            for (int r = 0; r < dp; r++) {
                NDArray before = taken;
                // the step's intermediates land in its own manager: its operands are lent to it
                try (NDManager step = nm.newSubManager()) {
                    step.tempAttachAll(iou, dOk, taken, crowd4, valid, ig, thrT, idx, minusOne, idNonZero, dOut);
                    NDArray iouR = iou.get(new NDIndex(":, {}, :", r)).reshape(C, 1, 1, gp);
                    NDArray live = dOk.get(new NDIndex(":, {}", r)).reshape(C, 1, 1);
                    NDArray cand = taken.logicalNot().logicalOr(crowd4).logicalAnd(valid).logicalAnd(iouR.gte(thrT));
                    NDArray pickN = last(cand.logicalAnd(ig.logicalNot()), iouR, idx, minusOne);
                    NDArray pickI = last(cand.logicalAnd(ig), iouR, idx, minusOne);
                    NDArray pick = where(pickN.gte(0), pickN, pickI); // [C, A, T]
                    NDArray hit = pick.gte(0).logicalAnd(live);
                    NDArray onehot = idx.eq(pick.reshape(C, A, T, 1)).logicalAnd(hit.reshape(C, A, T, 1)); // [C, A, T, G]
                    NDArray truthy = onehot.logicalAnd(idNonZero).toType(DataType.INT32, false).sum(new int[] {3}).gt(0); // [C, A, T]
                    NDArray gtIgnored = onehot.logicalAnd(ig).toType(DataType.INT32, false).sum(new int[] {3}).gt(0);
                    NDArray outOfRange = dOut.get(new NDIndex(":, :, {}", r)).reshape(C, A, 1);
                    NDArray ignored = gtIgnored.logicalOr(truthy.logicalNot().logicalAnd(outOfRange));
                    NDArray flag = truthy.toType(DataType.INT8, false).mul(CocoMatching.TRUTHY)
                            .add(ignored.toType(DataType.INT8, false).mul(CocoMatching.IGNORED));
                    NDArray matchedAt = where(hit, pick, minusOne);
                    taken = taken.logicalOr(onehot);
                    taken.attach(nm);
                    flag.attach(nm);
                    matchedAt.attach(nm);
                    flagRows.add(flag);
                    matchRows.add(matchedAt);
                }
                before.close(); // back in nm now that the step is closed
            }
            // [C, A, D, T] and [C, A, D, T]
            flags = NDArrays.stack(new ai.djl.ndarray.NDList(flagRows), 2).toDevice(Device.cpu(), false).toByteArray();
            matched = NDArrays.stack(new ai.djl.ndarray.NDList(matchRows), 2).toDevice(Device.cpu(), false).toLongArray();
        }
        for (int i = 0; i < C; i++) {
            int c = busy[cells.get(i)];
            int[] gs = gsOf[i];
            int[] ds = dsOf[i];
            int D = ds.length;
            CocoMatching.CellRecord rec = slot.apply(cells.get(i));
            for (int d = 0; d < D; d++) {
                rec.setScore(d, m.dScore[ds[d]]);
            }
            for (int a = 0; a < A; a++) {
                int npig = 0;
                for (int g : gs) {
                    if (!m.ignored(g, m.p.areaRanges()[a][0], m.p.areaRanges()[a][1])) {
                        npig++;
                    }
                }
                rec.setNpig(a, npig);
                for (int d = 0; d < D; d++) {
                    for (int t = 0; t < T; t++) {
                        int at = ((i * A + a) * dp + d) * T + t;
                        byte f = flags[at];
                        rec.setFlag(a, d, t, f);
                        if (a == m.allArea && m.statusAll != null) {
                            int j = (int) matched[at];
                            int k = ds[d] * T + t;
                            m.matchAll[k] = j < 0 ? -1 : gs[j];
                            m.statusAll[k] = (byte) ((f & CocoMatching.IGNORED) != 0 ? CocoMatching.Status.IGNORED.ordinal()
                                    : (f & CocoMatching.TRUTHY) != 0 ? CocoMatching.Status.TRUE_POSITIVE.ordinal()
                                    : CocoMatching.Status.FALSE_POSITIVE.ordinal());
                        }
                    }
                }
            }
            m.records[c] = rec;
        }
    }

    /**
     * The last position (in ground-truth order) of the highest IoU among {@code cand}, per [C, A,
     * T]; -1 where there is no candidate. COCOeval's {@code >=} update keeps the last of equals.
     */
    private static NDArray last(NDArray cand, NDArray iouR, NDArray idx, NDArray minusOne) {
        NDArray v = where(cand, iouR, iouR.getManager().create(-1.0));
        NDArray best = v.max(new int[] {3}, true);
        NDArray at = cand.logicalAnd(v.eq(best));
        return where(at, idx, minusOne).max(new int[] {3});
    }

    /** {@code NDArrays.where} with numpy's broadcasting of the three (DJL's wants equal shapes). */
    private static NDArray where(NDArray cond, NDArray a, NDArray b) {
        int rank = Math.max(cond.getShape().dimension(), Math.max(a.getShape().dimension(), b.getShape().dimension()));
        long[] dims = new long[rank];
        java.util.Arrays.fill(dims, 1);
        for (NDArray x : new NDArray[] {cond, a, b}) {
            long[] s = x.getShape().getShape();
            for (int i = 0; i < s.length; i++) {
                int j = rank - s.length + i;
                dims[j] = Math.max(dims[j], s[i]);
            }
        }
        Shape shape = new Shape(dims);
        return NDArrays.where(fit(cond, shape), fit(a, shape), fit(b, shape));
    }

    private static NDArray fit(NDArray x, Shape shape) {
        return x.getShape().equals(shape) ? x : x.broadcast(shape);
    }

    /** MaskApi.boxIou for every (detection, ground truth) pair of each cell: [C, D, G], float64. */
    private static NDArray boxIou(NDManager nm, double[] db, double[] gb, NDArray crowd, int C, int dp, int gp) {
        NDArray d = nm.create(db, new Shape(C, dp, 1, 4));
        NDArray g = nm.create(gb, new Shape(C, 1, gp, 4));
        NDArray dx = d.get("..., 0");
        NDArray dy = d.get("..., 1");
        NDArray dw = d.get("..., 2");
        NDArray dh = d.get("..., 3");
        NDArray gx = g.get("..., 0");
        NDArray gy = g.get("..., 1");
        NDArray gw = g.get("..., 2");
        NDArray gh = g.get("..., 3");
        NDArray da = dw.mul(dh);
        NDArray ga = gw.mul(gh);
        NDArray w = NDArrays.minimum(dw.add(dx), gw.add(gx)).sub(NDArrays.maximum(dx, gx));
        NDArray h = NDArrays.minimum(dh.add(dy), gh.add(gy)).sub(NDArrays.maximum(dy, gy));
        NDArray i = w.mul(h);
        NDArray u = where(crowd.reshape(C, 1, gp), da, da.add(ga).sub(i));
        NDArray zero = nm.zeros(new Shape(1), DataType.FLOAT64);
        NDArray overlap = w.gt(zero).logicalAnd(h.gt(zero));
        return where(overlap, i.div(u), zero);
    }
}
