package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/** {@code resvision features} end to end against torchvision on the same PNG. */
class FeaturesCommandTest {

    @TempDir Path dir;

    static Path drawImage(Path file) {
        try (Mat img = new Mat(150, 210, opencv_core.CV_8UC3, new Scalar(40, 90, 160, 0))) {
            opencv_imgproc.circle(img, new Point(70, 60), 35, new Scalar(20, 200, 60, 0), -1, opencv_imgproc.LINE_8, 0);
            opencv_imgproc.rectangle(img, new Point(120, 80), new Point(190, 140), new Scalar(230, 30, 90, 0), -1, opencv_imgproc.LINE_8, 0);
            opencv_imgcodecs.imwrite(file.toString(), img);
        }
        return file;
    }

    @ParameterizedTest
    @CsvSource({"resnet18, resnet18, ''", "resnet50_fpn, resnet50, --fpn"})
    void stagesMatchTorchvisionOnTheSameImage(String fixture, String arch, String fpn) throws Exception {
        Path weights = ParityFixtures.caseDir(fixture).resolve("weights.pth");
        Path image = drawImage(dir.resolve("scene.png"));
        Path ours = dir.resolve("ours.safetensors");
        Path theirs = dir.resolve("theirs.safetensors");
        List<String> args = new java.util.ArrayList<>(List.of("features", "--arch", arch, "--weights", weights.toString()));
        if (!fpn.isEmpty()) {
            args.add(fpn);
        }
        args.addAll(List.of(image.toString(), "--out", ours.toString()));
        assertEquals(0, Main.run(args.toArray(new String[0])));
        List<String> ref = new java.util.ArrayList<>(List.of("--arch", arch, "--weights", weights.toString()));
        if (!fpn.isEmpty()) {
            ref.add(fpn);
        }
        ref.addAll(List.of(image.toString(), theirs.toString()));
        ParityFixtures.runScript("features_reference.py", dir.resolve("ref.log"), ref.toArray(new String[0]));
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict a = WeightsIO.load(ours, m);
            StateDict b = WeightsIO.load(theirs, m);
            assertEquals(b.names(), a.names(), "same stages, same order");
            for (String name : b.names()) {
                NDArray x = a.get(name);
                Tensors.assertClose(fixture + " image " + name, x, b.get(name), 1e-4);
            }
            assertEquals(arch + (fpn.isEmpty() ? "" : "+fpn"), a.metadata().get("arch"));
        }
    }

    @Test
    void wrongWeightsFailWithOneLineAndWriteNothing() throws Exception {
        Path weights = ParityFixtures.caseDir("resnet50").resolve("weights.pth");
        Path image = drawImage(dir.resolve("scene.png"));
        Path out = dir.resolve("out.safetensors");
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int rc;
        try {
            rc = Main.run(new String[] {"features", "--arch", "resnet18", "--weights", weights.toString(), image.toString(), "--out", out.toString()});
        } finally {
            System.setErr(err);
        }
        assertEquals(1, rc);
        String msg = buf.toString().trim();
        assertTrue(msg.startsWith("resvision features: error: " + weights + ": does not fit resnet18:"), msg);
        assertEquals(1, msg.lines().filter(l -> l.startsWith("resvision")).count());
        assertTrue(!Files.exists(out));
    }

    /** A published checkpoint by name: the same stages as the file given with --arch, and ARCH comes from the name. */
    @Test
    void aCatalogNameStandsForTheFileAndItsArchitecture() throws Exception {
        Path weights = ParityFixtures.caseDir("resnet18").resolve("weights.pth");
        Path image = drawImage(dir.resolve("scene.png"));
        Path byFile = dir.resolve("file.safetensors");
        Path byName = dir.resolve("name.safetensors");
        assertEquals(0, Main.run(new String[] {"features", "--arch", "resnet18", "--weights", weights.toString(), image.toString(),
            "--out", byFile.toString()}));
        List<String> classes = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList();
        try (PublishedFixture f = new PublishedFixture(dir, weights, "resnet18", "TEST_V1", "classification", classes)) {
            assertEquals(0, Main.run(new String[] {"features", "--weights", "resnet18:TEST_V1", image.toString(), "--out", byName.toString()}));
            PrintStream err = System.err;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            System.setErr(new PrintStream(buf, true));
            try {
                assertEquals(2, Main.run(new String[] {"features", "--arch", "resnet50", "--weights", "resnet18:TEST_V1", image.toString(),
                    "--out", dir.resolve("x.safetensors").toString()}));
                assertEquals(2, Main.run(new String[] {"features", "--weights", "resnet18:TEST_V9", image.toString(),
                    "--out", dir.resolve("x.safetensors").toString()}));
            } finally {
                System.setErr(err);
            }
            List<String> lines = buf.toString().lines().toList();
            assertEquals(List.of("resvision features: --arch resnet50 does not match resnet18:TEST_V1 (resnet18) (see 'resvision features --help')",
                    "resvision features: unknown weights 'resnet18:TEST_V9': resnet18 has resnet18:IMAGENET1K_V1, resnet18:TEST_V1"
                    + " (see 'resvision features --help')"), lines);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict a = WeightsIO.load(byFile, m);
            StateDict b = WeightsIO.load(byName, m);
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                Tensors.assertClose("by name " + name, b.get(name), a.get(name), 0);
            }
        }
    }

    /** fasterrcnn_resnet50_fpn_v2 by name with --fpn: its FPN (BatchNorm after each conv) gives the detector's own FPN maps. */
    @Test
    void aV2DetectorsNameBuildsItsNormalisedFpn() throws Exception {
        Path root = Path.of(System.getProperty("resvision.parity.dir", "target/parity")).resolve("detection");
        Path caseDir = root.resolve("fasterrcnn_resnet50_fpn_v2");
        if (!Files.exists(caseDir.resolve("meta.json"))) {
            ParityFixtures.assumeTorchvision();
            ParityFixtures.runScript("detection_fixtures.py", dir.resolve("fixtures.log"), root.toString(), "--cases", "fasterrcnn_resnet50_fpn_v2");
        }
        int classes = ParityFixtures.meta(caseDir).get("num_classes").asInt();
        Path image = drawImage(dir.resolve("scene.png"));
        Path out = dir.resolve("v2.safetensors");
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> "k" + i).toList();
        try (PublishedFixture f = new PublishedFixture(dir, caseDir.resolve("weights.pth"), "fasterrcnn_resnet50_fpn_v2", "TEST_V1", "detection",
                names)) {
            assertEquals(0, Main.run(new String[] {"features", "--weights", "fasterrcnn_resnet50_fpn_v2:TEST_V1", "--fpn", image.toString(), "--out",
                out.toString()}));
            try (NDManager m = NDManager.newBaseManager()) {
                var entry = org.resvision.backbone.hub.WeightsCatalog.get().find("fasterrcnn_resnet50_fpn_v2:TEST_V1");
                org.resvision.detection.FasterRcnn model = org.resvision.detection.Pretrained.load(org.resvision.detection.Pretrained.config(entry),
                        f.installed, m);
                NDArray x = FeaturesCommand.preprocess(org.resvision.data.image.Images.read(image, m), 0);
                ai.djl.ndarray.NDList levels = model.features(new ai.djl.training.ParameterStore(m, false), x, false);
                StateDict ours = WeightsIO.load(out, m);
                assertEquals(5, levels.size());
                for (NDArray level : levels) {
                    Tensors.assertClose("v2 fpn " + level.getName(), ours.get(level.getName()), level, 1e-6);
                }
            }
        }
    }
}
