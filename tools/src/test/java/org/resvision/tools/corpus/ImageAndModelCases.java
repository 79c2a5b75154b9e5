package org.resvision.tools.corpus;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.FasterRcnn;
import org.resvision.nn.StateDictLoader;
import org.resvision.tools.Main;
import org.resvision.weights.WeightsIO;

/** predict, evaluate, features and import-weights with broken images, weights, configs and flags. */
final class ImageAndModelCases implements BadInput.Source {

    /** A Faster R-CNN small enough to build in a second. */
    static final String CONFIG = "{\"task\": \"detection\", \"model\": \"fasterrcnn_resnet18_fpn_small\", \"num_classes\": 5,\n"
            + " \"fpn_channels\": 32, \"representation_size\": 64, \"min_size\": 96, \"max_size\": 128,\n"
            + " \"rpn_pre_nms_top_n_test\": 100, \"rpn_post_nms_top_n_test\": 50, \"batch_size\": 2}";

    private static byte[] detectionWeights;
    private static byte[] resnetWeights;

    /** The config (c.json) and untrained weights (w.safetensors) in {@code dir}; the weights are built once. */
    static synchronized void model(Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), CONFIG);
        if (detectionWeights == null) {
            Path tmp = Files.createTempFile("corpus-det", ".safetensors");
            try (NDManager m = NDManager.newBaseManager()) {
                FasterRcnn model = FasterRcnn.of(DetectionConfig.read(config)).init(m);
                WeightsIO.saveSafetensors(tmp, StateDictLoader.export(model, m), Map.of());
                detectionWeights = Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        Files.write(dir.resolve("w.safetensors"), detectionWeights);
    }

    /** resnet18 weights without a head, as r18.safetensors; built once. */
    static synchronized Path resnet(Path dir) throws Exception {
        if (resnetWeights == null) {
            Path tmp = Files.createTempFile("corpus-r18", ".safetensors");
            try {
                quietly("init-weights", "--arch", "resnet18", "--classes", "0", "--out", tmp.toString());
                resnetWeights = Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return Files.write(dir.resolve("r18.safetensors"), resnetWeights);
    }

    /** Runs a command for a case's setup, its output discarded. */
    static void quietly(String... args) {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            if (Main.run(args) != 0) {
                throw new IllegalStateException("setup failed: " + String.join(" ", args));
            }
        } finally {
            System.setOut(out);
        }
    }

    /** A 96x128 picture (good.jpg). */
    static Path good(Path dir) {
        return good(dir, "good.jpg");
    }

    static Path good(Path dir, String name) {
        Path p = dir.resolve(name);
        try (Mat m = new Mat(96, 128, opencv_core.CV_8UC3, new Scalar(40.0, 120.0, 200.0, 0.0))) {
            opencv_imgcodecs.imwrite(p.toString(), m);
        }
        return p;
    }

    /** An image of {@code h x w} pixels, as PNG. */
    static Path png(Path dir, String name, int h, int w) {
        Path p = dir.resolve(name);
        try (Mat m = new Mat(h, w, opencv_core.CV_8UC3, new Scalar(200.0, 10.0, 90.0, 0.0))) {
            opencv_imgcodecs.imwrite(p.toString(), m);
        }
        return p;
    }

    /** The first 300 bytes of a JPEG (cut.jpg). */
    static Path truncated(Path dir) throws Exception {
        Path cut = good(dir, "cut.jpg");
        return Files.write(cut, Arrays.copyOf(Files.readAllBytes(cut), 300));
    }

    static Path noise(Path dir, String name, int n) throws Exception {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    /** predict with the model in {@code dir}, the given images and options; OUT is results.json. */
    static String[] predict(Path dir, Object... rest) throws Exception {
        model(dir);
        List<String> argv = new ArrayList<>(List.of("predict", "--config", dir.resolve("c.json").toString(), "--weights",
                dir.resolve("w.safetensors").toString(), "--out", dir.resolve("results.json").toString()));
        for (Object o : rest) {
            argv.add(o.toString());
        }
        return argv.toArray(String[]::new);
    }

    /** predict with a config of the given text (the model's weights unread: the config fails first). */
    static String[] predictWithConfig(Path dir, String config) throws Exception {
        Path c = Files.writeString(dir.resolve("bad.json"), config);
        return new String[] {"predict", "--config", c.toString(), "--weights", "w.safetensors", "x.jpg", "--out",
            dir.resolve("r.json").toString()};
    }

    /** evaluate on 4 synthetic images, the second replaced by its first 300 bytes. */
    static String[] evaluate(Path dir, String... more) throws Exception {
        model(dir);
        quietly("synth", "--format", "coco", "--images", "4", "--size", "128x96", "--out", dir.resolve("data").toString());
        Path second = dir.resolve("data/coco/images/000002.jpg");
        Files.write(second, Arrays.copyOf(Files.readAllBytes(second), 300));
        List<String> argv = new ArrayList<>(List.of("evaluate", "--config", dir.resolve("c.json").toString(), "--weights",
                dir.resolve("w.safetensors").toString(), "--data", "coco:" + dir.resolve("data/coco/annotations/instances_train.json")));
        argv.addAll(List.of(more));
        return argv.toArray(String[]::new);
    }

    static String[] features(Path dir, Path image, String... more) throws Exception {
        List<String> argv = new ArrayList<>(List.of("features", "--arch", "resnet18", "--weights", resnet(dir).toString(),
                image.toString(), "--out", dir.resolve("f.safetensors").toString()));
        argv.addAll(List.of(more));
        return argv.toArray(String[]::new);
    }

    static String[] importWeights(Path file, String... more) {
        List<String> argv = new ArrayList<>(List.of("import-weights", "--arch", "resnet18", file.toString(), "--out",
                file.resolveSibling("out.safetensors").toString()));
        argv.addAll(List.of(more));
        return argv.toArray(String[]::new);
    }

    /** A safetensors file whose header is {@code json}, followed by {@code data} zero bytes. */
    static Path safetensors(Path dir, String json, int data) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return Files.write(dir.resolve("w.safetensors"), b.array());
    }

    /** A torch.save-style zip holding {@code entries} (name -> bytes). */
    static Path zip(Path file, Map<String, byte[]> entries) throws Exception {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    /**
     * Pickle protocol 2 of {@code {"x": os.system("touch <marker>")}}: GLOBAL posix.system, the
     * command as BINUNICODE, TUPLE1, REDUCE, inside a dict. Were it run, the marker would be left
     * behind in the case's folder and the corpus would fail.
     */
    static byte[] evilPickle(Path marker) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {(byte) 0x80, 2, '}'});
        unicode(o, "x");
        o.writeBytes("cposix\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        unicode(o, "touch " + marker);
        o.writeBytes(new byte[] {(byte) 0x85, 'R', 's', '.'});
        return o.toByteArray();
    }

    private static void unicode(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write('X');
        o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        o.writeBytes(b);
    }

    @Override
    public List<BadInput> cases() {
        String unreadable = "not a readable image (corrupt, truncated or an unsupported format)";
        return List.of(
                BadInput.error("predict/empty-image", "the image and that it is empty (0 bytes)",
                        d -> predict(d, Files.write(d.resolve("empty.jpg"), new byte[0])), "empty.jpg: empty file (0 bytes), not an image"),
                BadInput.error("predict/truncated-jpeg", "the image and that it cannot be decoded",
                        d -> predict(d, truncated(d)), "cut.jpg: " + unreadable),
                BadInput.error("predict/random-bytes-named-jpg", "the image and that it cannot be decoded",
                        d -> predict(d, noise(d, "noise.jpg", 4000)), "noise.jpg: " + unreadable),
                BadInput.error("predict/image-is-a-folder", "the path and that it is a folder, not an image",
                        d -> predict(d, Files.createDirectories(d.resolve("pics"))), "pics: a folder, not an image file"),
                BadInput.skip("predict/unreadable-among-several",
                        "one warning naming the unreadable image, which is skipped; the others (a 1x1 and a 20000x1 image among them) are predicted",
                        d -> predict(d, good(d), truncated(d), png(d, "one.png", 1, 1), png(d, "wide.png", 1, 20000)),
                        List.of("results.json"), "warning: ", "cut.jpg: " + unreadable, "skipped"),
                BadInput.error("predict/strict-unreadable-among-several", "with --strict, the first unreadable image",
                        d -> predict(d, good(d), truncated(d), "--strict"), "cut.jpg: " + unreadable),
                BadInput.usage("predict/out-is-a-folder", "that --out is a folder where a file is written",
                        d -> predict(d, good(d), "--out", Files.createDirectories(d.resolve("outdir"))), "--out ", "outdir: is a folder"),
                BadInput.usage("predict/draw-is-a-file", "that --draw is a file where a folder is written",
                        d -> predict(d, good(d), "--draw", Files.writeString(d.resolve("notes.txt"), "mine")), "--draw ", "notes.txt: is a file"),
                BadInput.usage("predict/score-thresh-nan", "that --score-thresh must be in [0, 1]",
                        d -> predict(d, good(d), "--score-thresh", "NaN"), "--score-thresh must be a number in [0, 1], got 'NaN'"),
                BadInput.usage("predict/batch-zero", "that --batch must be at least 1",
                        d -> predict(d, good(d), "--batch", "0"), "--batch must be an integer >= 1, got '0'"),
                BadInput.error("predict/config-wrong-type", "the config's line and column, the field, what was expected and what was found",
                        d -> predictWithConfig(d, "{\"task\": \"detection\",\n \"model\": \"fasterrcnn_resnet18_fpn_small\",\n \"lr\": \"abc\"}"),
                        "bad.json:3:8: field \"lr\": expected a number, got \"abc\""),
                BadInput.error("predict/segmentation-config-wrong-type", "the same for a segmentation config",
                        d -> predictWithConfig(d, "{\"task\": \"segmentation\", \"model\": \"fcn_small\",\n \"num_classes\": \"many\"}"),
                        "bad.json:2:17: field \"num_classes\": expected an integer, got \"many\""),
                BadInput.error("predict/config-unknown-field", "the unknown field and the known one it is closest to",
                        d -> predictWithConfig(d, "{\"task\": \"detection\", \"iteratons\": 5}"),
                        "bad.json:1:37: unknown field \"iteratons\" (did you mean \"iterations\"?)"),
                BadInput.error("predict/weights-random-bytes", "the weights file and that it is no weights format",
                        d -> {
                            String[] argv = predict(d, good(d));
                            noise(d, "w.safetensors", 3000);
                            return argv;
                        }, "w.safetensors: not a safetensors or torch file"),
                BadInput.error("predict/weights-truncated", "the weights file, the first tensor past its end, and that it looks truncated",
                        d -> {
                            String[] argv = predict(d, good(d));
                            Path w = d.resolve("w.safetensors");
                            Files.write(w, Arrays.copyOf(Files.readAllBytes(w), 40_000));
                            return argv;
                        }, "w.safetensors: tensor '", "(truncated file?)"),
                BadInput.skip("evaluate/unreadable-image-skipped", "one warning naming the unreadable image; the rest is evaluated",
                        d -> evaluate(d), List.of(), "warning: ", "000002.jpg: " + unreadable, "skipped"),
                BadInput.error("evaluate/strict-unreadable-image", "with --strict, the unreadable image",
                        d -> evaluate(d, "--strict"), "000002.jpg: " + unreadable),
                BadInput.error("evaluate/config-nested-wrong-type", "the field's path into nested lists",
                        d -> new String[] {"evaluate", "--config", Files.writeString(d.resolve("bad.json"),
                                "{\"task\": \"detection\", \"anchor_sizes\": [[16], [32], [\"x\"], [1], [2]]}").toString(), "--weights", "w", "--data", "coco:a.json"},
                        "bad.json:1:53: field \"anchor_sizes[2][0]\": expected a number, got \"x\""),
                BadInput.usage("features/eps-negative", "that --eps must be at least 0 (it gave all-NaN features)",
                        d -> features(d, good(d), "--eps", "-1"), "--eps must be a number >= 0, got '-1'"),
                BadInput.usage("features/size-zero", "that --size must be at least 1",
                        d -> features(d, good(d), "--size", "0"), "--size must be an integer >= 1, got '0'"),
                BadInput.usage("features/out-is-a-folder", "that --out is a folder where a file is written",
                        d -> {
                            String[] argv = features(d, good(d));
                            Files.createDirectories(d.resolve("f.safetensors"));
                            return argv;
                        }, "f.safetensors: is a folder"),
                BadInput.error("features/empty-image", "the image and that it is empty (0 bytes)",
                        d -> features(d, Files.write(d.resolve("empty.jpg"), new byte[0])), "empty.jpg: empty file (0 bytes)"),
                BadInput.error("import-weights/pickle-calls-os-system", "that the pickle references posix.system (nothing is run)",
                        d -> importWeights(zip(d.resolve("evil.pth"), Map.of("archive/data.pkl", evilPickle(d.resolve("PWNED")),
                                "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)))),
                        "evil.pth: not a state dict: the pickle references posix.system"),
                BadInput.error("import-weights/safetensors-10e12-elements", "the tensor and its impossible shape",
                        d -> importWeights(safetensors(d, "{\"a\": {\"dtype\": \"F32\", \"shape\": [1000000, 1000000],"
                                + " \"data_offsets\": [0, 4000000000000]}}", 16)),
                        "w.safetensors: tensor 'a' declares shape [1000000, 1000000], more than 2 GB of data"),
                BadInput.error("import-weights/safetensors-shape-overflow", "the tensor and its shape, whose size overflows",
                        d -> importWeights(safetensors(d, "{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296],"
                                + " \"data_offsets\": [0, 0]}}", 0)),
                        "w.safetensors: tensor 'a' declares shape [4294967296, 4294967296]"),
                BadInput.error("import-weights/zip-dot-dot-entries", "the zip entry that points outside the archive",
                        d -> importWeights(zip(d.resolve("slip.pth"), Map.of("../../slip.pkl", new byte[] {1},
                                "archive/data.pkl", new byte[] {(byte) 0x80, 2, '}', '.'}))),
                        "slip.pth: zip entry '../../slip.pkl' points outside the archive"),
                BadInput.error("import-weights/random-bytes", "the file and that it is no weights format",
                        d -> importWeights(noise(d, "w.pth", 3000)), "w.pth: not a safetensors or torch file"),
                BadInput.error("import-weights/empty-file", "the file and that it is too short",
                        d -> importWeights(Files.write(d.resolve("w.pth"), new byte[0])), "w.pth: too short for a weights file (0 bytes)"),
                BadInput.usage("import-weights/out-is-a-folder", "that --out is a folder where a file is written",
                        d -> {
                            Files.createDirectories(d.resolve("out.safetensors"));
                            return importWeights(resnet(d));
                        }, "out.safetensors: is a folder"));
    }
}
