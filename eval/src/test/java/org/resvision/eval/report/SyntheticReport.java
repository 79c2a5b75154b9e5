package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;

/**
 * A report with every section and 80 classes, from a real evaluation of synthetic ground truth
 * and two synthetic detectors (the other diagnostics are made up, seeded). Some class names
 * hold markup, ampersands, quotes and non-ASCII text.
 */
final class SyntheticReport {

    /** COCO's 80 names, a few replaced by hostile ones. */
    static final List<String> NAMES = List.of(
            "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
            "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
            "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
            "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
            "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
            "sandwich", "orange", "broccoli", "carrot", "hot <dog> & \"bun\"", "pizza", "donut", "cake", "chair", "couch",
            "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
            "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
            "teddy bear", "</script><script>console.error('escaped?')</script>", "caf\u00e9 \u2615 'toothbrush'");

    /** A name that must never appear unescaped in the page. */
    static final String HOSTILE = NAMES.get(78);

    private SyntheticReport() {}

    /** The synthetic ground truth: 500 images of 640x480, 0 to 9 boxes each, of every size. */
    static CocoDataset groundTruth() {
        Random rnd = new Random(7);
        List<CocoCategory> cats = new ArrayList<>();
        for (int k = 0; k < NAMES.size(); k++) {
            cats.add(new CocoCategory(k + 1, NAMES.get(k), "thing"));
        }
        List<CocoImage> images = new ArrayList<>();
        List<CocoAnnotation> anns = new ArrayList<>();
        long annId = 1;
        for (int i = 1; i <= 500; i++) {
            images.add(new CocoImage(i, "img" + i + ".jpg", 640, 480));
            int n = rnd.nextInt(10);
            for (int j = 0; j < n; j++) {
                int k = rnd.nextInt(NAMES.size());
                double s = 12 + Math.pow(rnd.nextDouble(), 1.6) * 260;
                double w = s * (0.6 + 0.8 * rnd.nextDouble());
                double h = s * (0.6 + 0.8 * rnd.nextDouble());
                double x = rnd.nextDouble() * (640 - w);
                double y = rnd.nextDouble() * (480 - h);
                anns.add(new CocoAnnotation(annId++, i, k + 1, new double[] {x, y, w, h}, w * h, false, null));
            }
        }
        return new CocoDataset(images, anns, cats);
    }

    /** A detector whose quality varies by class; {@code skill} shifts it as a whole. */
    static List<CocoResult> detections(CocoDataset gt, long seed, double skill) {
        Random rnd = new Random(seed);
        List<CocoResult> out = new ArrayList<>();
        for (CocoAnnotation a : gt.annotations()) {
            int k = (int) a.categoryId() - 1;
            double quality = Math.min(0.97, Math.max(0.05, skill * (0.35 + 0.6 * ((k * 37) % 80) / 80.0)));
            if (rnd.nextDouble() > 0.35 + 0.6 * quality) {
                continue; // missed
            }
            double[] b = a.bbox();
            double jitter = (1 - quality) * 0.35;
            double[] box = {
                b[0] + rnd.nextGaussian() * jitter * b[2], b[1] + rnd.nextGaussian() * jitter * b[3],
                b[2] * (1 + rnd.nextGaussian() * jitter), b[3] * (1 + rnd.nextGaussian() * jitter)};
            box[2] = Math.max(2, box[2]);
            box[3] = Math.max(2, box[3]);
            long cat = rnd.nextDouble() < 0.08 * (1 - quality) ? 1 + rnd.nextInt(NAMES.size()) : a.categoryId();
            double score = Math.min(0.999, Math.max(0.01, quality * 0.7 + rnd.nextDouble() * 0.3));
            out.add(new CocoResult(a.imageId(), cat, box, score, null));
            if (rnd.nextDouble() < 0.05) { // a duplicate
                out.add(new CocoResult(a.imageId(), cat, box.clone(), score * 0.8, null));
            }
        }
        for (CocoImage im : gt.images()) { // background detections
            int n = rnd.nextInt(4);
            for (int j = 0; j < n; j++) {
                double w = 10 + rnd.nextDouble() * 150;
                double h = 10 + rnd.nextDouble() * 150;
                out.add(new CocoResult(im.id(), 1 + rnd.nextInt(NAMES.size()),
                        new double[] {rnd.nextDouble() * (640 - w), rnd.nextDouble() * (480 - h), w, h}, rnd.nextDouble() * 0.6, null));
            }
        }
        return out;
    }

    /** The report with every section. */
    static ReportData full() throws Exception {
        CocoDataset gt = groundTruth();
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        List<CocoResult> dtA = detections(gt, 11, 1.0);
        List<CocoResult> dtB = detections(gt, 12, 1.12);
        CocoEvalResult a = CocoEvaluator.evaluate(gt, dtA, params);
        CocoEvalResult b = CocoEvaluator.evaluate(gt, dtB, params);
        Map<Long, String> names = new LinkedHashMap<>();
        for (CocoCategory c : gt.categories()) {
            names.put(c.id(), c.name());
        }
        Summary sa = Summary.from("model A", a, gt, dtA);
        Summary sb = Summary.from("model B", b, gt, dtB);
        Random rnd = new Random(3);
        return ReportData.of("COCO evaluation: model A", sa.withOtherModel("model B", sb.stats()))
                .withSubtitle("bbox \u00b7 synthetic gt.json (500 images, " + gt.annotations().size() + " objects, 80 classes) \u00b7 "
                        + "dt-a.json & dt-b.json")
                .withComparison(comparison(sa, sb, rnd))
                .withWorstClasses(WorstClasses.of(sa.classes(), 12))
                .withTide(tide())
                .withPrCurves(PrCurves.from(a, names))
                .withConfusion(confusion(rnd))
                .withReliability(reliability())
                .withBestF1(bestF1(sa, rnd));
    }

    static Comparison comparison(Summary a, Summary b, Random rnd) {
        List<Comparison.Stat> stats = new ArrayList<>();
        double[] va = a.stats();
        double[] vb = b.stats();
        for (int i = 0; i < va.length; i++) {
            double d = vb[i] - va[i];
            double half = 0.004 + rnd.nextDouble() * 0.02;
            stats.add(new Comparison.Stat(a.statNames().get(i), va[i], vb[i], d, d - half, d + half * (0.8 + 0.4 * rnd.nextDouble())));
        }
        List<Comparison.ClassDelta> classes = new ArrayList<>();
        for (int k = 0; k < a.classes().size(); k++) {
            double x = a.classes().get(k).ap();
            double y = b.classes().get(k).ap();
            classes.add(new Comparison.ClassDelta(a.classes().get(k).name(), x, y, x < 0 || y < 0 ? Double.NaN : y - x));
        }
        return new Comparison("model A", "model B", stats, classes);
    }

    static Tide tide() {
        return new Tide(List.of(
                new Tide.ErrorType("Cls", 0.0312, 412), new Tide.ErrorType("Loc", 0.0684, 1290),
                new Tide.ErrorType("Both", 0.0071, 98), new Tide.ErrorType("Dupe", 0.0019, 57),
                new Tide.ErrorType("Bkg", 0.0405, 2301), new Tide.ErrorType("Miss", 0.0553, 811)),
                List.of(new Tide.ErrorType("FalsePos", 0.1187, 4068), new Tide.ErrorType("FalseNeg", 0.1021, 811)),
                "Foreground IoU 0.50, background IoU 0.10.");
    }

    static Confusion confusion(Random rnd) {
        int n = NAMES.size() + 1;
        long[][] m = new long[n][n];
        for (int i = 0; i < n - 1; i++) {
            m[i][i] = 20 + rnd.nextInt(400);
            for (int j = 0; j < 3; j++) {
                m[i][rnd.nextInt(n - 1)] += rnd.nextInt(25);
            }
            m[i][n - 1] = rnd.nextInt(60); // missed
            m[n - 1][i] = rnd.nextInt(80); // background detected as class i
        }
        m[2][7] += 90; // car -> truck
        m[7][2] += 60;
        m[15][16] += 45; // cat -> dog
        List<String> labels = new ArrayList<>(NAMES);
        labels.add(Confusion.BACKGROUND);
        return new Confusion(labels, m, 0.5, 0.3);
    }

    static Reliability reliability() {
        List<Reliability.Bin> bins = new ArrayList<>();
        double ece = 0;
        double mce = 0;
        long total = 0;
        long[] counts = new long[10];
        double[] acc = new double[10];
        double[] mean = new double[10];
        for (int i = 0; i < 10; i++) {
            counts[i] = i == 9 ? 0 : (long) (4000 * Math.exp(-i * 0.45)) + 40;
            mean[i] = i / 10.0 + 0.05 + (i % 3 - 1) * 0.01;
            acc[i] = Math.max(0, Math.min(1, mean[i] * 0.82 - 0.02));
            total += counts[i];
        }
        for (int i = 0; i < 10; i++) {
            bins.add(new Reliability.Bin(i / 10.0, (i + 1) / 10.0, counts[i], mean[i], acc[i]));
            if (counts[i] > 0) {
                ece += counts[i] * Math.abs(acc[i] - mean[i]) / total;
                mce = Math.max(mce, Math.abs(acc[i] - mean[i]));
            }
        }
        return new Reliability(bins, ece, mce);
    }

    static List<BestF1> bestF1(Summary s, Random rnd) {
        List<BestF1> out = new ArrayList<>();
        for (Summary.ClassRow r : s.classes()) {
            double p = 0.3 + rnd.nextDouble() * 0.65;
            double rc = 0.25 + rnd.nextDouble() * 0.7;
            out.add(new BestF1(r.name(), 2 * p * rc / (p + rc), 0.1 + rnd.nextDouble() * 0.7, p, rc));
        }
        return out;
    }
}
