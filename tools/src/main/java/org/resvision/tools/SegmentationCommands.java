package org.resvision.tools;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.resvision.data.image.Images;
import org.resvision.data.loader.BadItems;
import org.resvision.data.loader.VocSegmentationSource;
import org.resvision.data.voc.VocPalette;
import org.resvision.eval.segmentation.ConfusionMatrix;
import org.resvision.segmentation.Fcn;
import org.resvision.segmentation.SegmentationConfig;
import org.resvision.segmentation.SegmentationTransform;
import org.resvision.segmentation.SegmentationEvaluation;
import org.resvision.segmentation.SegmentationTraining;

/** {@code train}, {@code evaluate} and {@code predict} for segmentation configs. */
final class SegmentationCommands {

    private SegmentationCommands() {}

    /** The VOC folder of {@code --data voc:DIR}. */
    static Path vocData(String data) throws UsageException {
        if (data == null || !data.startsWith("voc:")) {
            throw new UsageException("--data must be voc:DIR for segmentation (the PASCAL VOC layout with SegmentationClass)");
        }
        return Path.of(data.substring(4));
    }

    static int train(SegmentationConfig c, Path config, Path voc, Path run, boolean resume, boolean overwrite, WeightsSpec init,
            boolean strict, Device device) throws Exception {
        VocSegmentationSource train = new VocSegmentationSource(voc, "train", c.model().numClasses(), true, c.baseSize(), c.recipe().cropSize());
        VocSegmentationSource val = new VocSegmentationSource(voc, "val", c.model().numClasses(), false, c.baseSize(), c.recipe().cropSize());
        try (RunFolder folder = RunFolder.open(run, config, resume, overwrite); NDManager m = NDManager.newBaseManager(device)) {
            Engine.getInstance().setRandomSeed((int) c.recipe().seed());
            Fcn fcn = initialized(c, m);
            if (init != null) { // on --resume the checkpoint then replaces these weights, as before
                System.out.println(InitFrom.segmentation(fcn, init, m));
            }
            System.out.printf(Locale.ROOT, "training %s (%d classes) on %d images of %s, evaluating on %d%s%n", c.preset(), c.model().numClasses(),
                    train.size(), voc, val.size(), init == null ? "" : ", starting from " + init.label());
            ConfusionMatrix cm = SegmentationTraining.train(fcn, train, val, c.recipe(), run, resume, strict, m, System.out);
            System.out.println(table(cm, c.classNames()));
            System.out.println("model: " + run.resolve("model.safetensors"));
        }
        return 0;
    }

    private static Fcn initialized(SegmentationConfig c, NDManager m) {
        Fcn fcn = Fcn.of(c.model());
        fcn.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return fcn;
    }

    /** The config's FCN with {@code weights} (ResVision safetensors or a torchvision state dict), every key matched. */
    static Fcn load(SegmentationConfig c, Path weights, NDManager m) throws IOException {
        return org.resvision.segmentation.PretrainedSegmentation.load(c, weights, m);
    }

    static int evaluate(SegmentationConfig c, Path weights, Path voc, String split, boolean strict, Device device) throws Exception {
        VocSegmentationSource src = new VocSegmentationSource(voc, split, c.model().numClasses(), false, c.baseSize(), c.recipe().cropSize());
        try (NDManager m = NDManager.newBaseManager(device)) {
            ConfusionMatrix cm = SegmentationEvaluation.evaluate(load(c, weights, m), src, m, strict);
            System.out.println(table(cm, c.classNames()));
        }
        return 0;
    }

    /** Each image through the config's {@link SegmentationTransform} (its {@code base_size}); masks keep the image's size. */
    static int predict(SegmentationConfig c, Path weights, List<String> images, Path out, Path draw, boolean strict, Device device)
            throws Exception {
        SegmentationTransform transform = SegmentationTransform.of(c);
        BadItems bad = new BadItems(strict, images.size(), System.err::println);
        try (NDManager m = NDManager.newBaseManager(device)) {
            Fcn fcn = load(c, weights, m);
            ParameterStore ps = new ParameterStore(m, false);
            for (int i = 0; i < images.size(); i++) {
                Path file = Path.of(images.get(i));
                try (NDManager im = m.newSubManager()) {
                    NDArray rgb;
                    try {
                        rgb = Images.read(file, im);
                    } catch (IOException e) {
                        bad.failed(i, e); // skipped with a warning, unless strict or too many
                        continue;
                    }
                    bad.ok(i);
                    Files.createDirectories(out);
                    int h = (int) rgb.getShape().get(1);
                    int w = (int) rgb.getShape().get(2);
                    NDArray pred = transform.classMap(fcn.forward(ps, new NDList(transform.prepare(rgb).expandDims(0)), false).get(0), h, w);
                    byte[] labels = pred.toType(DataType.UINT8, false).toByteArray();
                    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                    VocPalette.writePng(out.resolve(stem + ".png"), labels, w, h);
                    if (draw != null) {
                        overlay(rgb, labels, w, h, draw.resolve(stem + ".png"));
                    }
                }
            }
            System.out.println("wrote " + (images.size() - bad.skipped()) + " VOC-palette masks to " + out
                    + (bad.skipped() == 0 ? "" : " (" + bad.skipped() + " unreadable images skipped)") + (draw == null ? "" : " and overlays to " + draw));
        }
        return 0;
    }

    /** Half the image, half the class colour (background left as is), as a PNG. */
    static void overlay(NDArray rgb, byte[] labels, int w, int h, Path file) throws IOException {
        float[] px = rgb.toFloatArray(); // [3, H, W] in [0, 1]
        byte[] bgr = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            int cls = labels[i] & 0xff;
            int[] col = VocPalette.rgb(cls);
            for (int c = 0; c < 3; c++) {
                float v = px[c * w * h + i] * 255f;
                float o = cls == 0 ? v : 0.5f * v + 0.5f * col[c];
                bgr[i * 3 + (2 - c)] = (byte) Math.max(0, Math.min(255, Math.round(o)));
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Mat mat = new Mat(h, w, org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
            mat.data().put(bgr);
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp.png");
            if (!opencv_imgcodecs.imwrite(tmp.toString(), mat)) {
                throw new IOException(file + ": could not write the overlay");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    static String table(ConfusionMatrix cm, List<String> names) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %8s %8s%n", "class", "IoU", "acc"));
        double[] iou = cm.iou();
        double[] acc = cm.classAccuracy();
        for (int i = 0; i < iou.length; i++) {
            sb.append(String.format(Locale.ROOT, "%-16s %8s %8s%n", names.get(i), pct(iou[i]), pct(acc[i])));
        }
        sb.append(String.format(Locale.ROOT, "mIoU %.1f%%, pixel accuracy %.1f%%, mean class accuracy %.1f%%",
                100 * cm.meanIou(), 100 * cm.pixelAccuracy(), 100 * cm.meanClassAccuracy()));
        return sb.toString();
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static SegmentationConfig config(Path file) throws IOException {
        return SegmentationConfig.read(file);
    }
}
