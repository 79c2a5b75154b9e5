package org.resvision.tools.bench;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resvision bench data}: COCO JSON loading and training-pipeline throughput, as a table. */
@Command(name = "data", header = "COCO JSON loading and training-pipeline images/s",
        description = "Times COCO reading (GT and results files, when given) and the training pipeline: N synthetic 640x480 images"
                + " (written once to DIR) decoded, flipped, normalised, resized by torchvision's rule (short side S) and batched"
                + " (B) by the prefetching loader on every core. Prints a table; peak RSS is the whole process's.")
final class DataBenchCommand extends BenchProgram {

    @Option(names = "--gt", paramLabel = "GT.json", description = "also time reading this COCO file")
    Path gt;

    @Option(names = "--dt", paramLabel = "RESULTS.json", description = "also time reading this results file")
    Path dt;

    @Option(names = "--images", paramLabel = "N", description = "synthetic 640x480 images (default: ${DEFAULT-VALUE})")
    int images = 64;

    @Option(names = "--batch", paramLabel = "B", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batch = 2;

    @Option(names = "--size", paramLabel = "S", description = "the resize's short side (default: ${DEFAULT-VALUE})")
    int size = 800;

    @Option(names = "--work", paramLabel = "DIR", description = "where the images are written once (default: ${DEFAULT-VALUE})")
    Path work = Path.of("target/bench/data");

    /** Heap in use after a full collection: what the loaded data keep alive. */
    private static long retainedMb() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    @Override
    protected int call() throws Exception {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-34s %12s %14s%n", "step", "seconds", "rate"));
        if (gt != null) {
            long t0 = System.nanoTime();
            CocoDataset gtData = CocoReader.readDataset(this.gt);
            double s = (System.nanoTime() - t0) / 1e9;
            table.append(String.format(Locale.ROOT, "%-34s %12.3f %10.0f ann/s%n",
                    "read GT (" + gtData.annotations().size() + " annotations)", s, gtData.annotations().size() / s));
            table.append(String.format(Locale.ROOT, "%-34s %12s %11d MB%n", "  heap held by the GT", "", retainedMb()));
        }
        if (dt != null) {
            long t0 = System.nanoTime();
            List<CocoResult> results = CocoReader.readResults(dt);
            double s = (System.nanoTime() - t0) / 1e9;
            table.append(String.format(Locale.ROOT, "%-34s %12.3f %10.0f det/s%n", "read results (" + results.size() + ")", s, results.size() / s));
            table.append(String.format(Locale.ROOT, "%-34s %12s %11d MB%n", "  heap held by GT + results", "", retainedMb()));
        }
        Path coco = work.resolve("synth-640x480-" + images);
        if (!Files.exists(coco.resolve("annotations/instances_train.json"))) {
            new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(640, 480, 0, 2, 7))).writeCoco(coco, images);
        }
        CocoDataset ds = CocoReader.readDataset(coco.resolve("annotations/instances_train.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            Path first = coco.resolve("images").resolve(ds.images().get(0).fileName());
            for (int i = 0; i < 20; i++) {
                org.resvision.data.image.Images.read(first, m).close(); // warm-up
            }
            int reps = 100;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                org.resvision.data.image.Images.read(coco.resolve("images").resolve(ds.images().get(i % ds.images().size()).fileName()), m).close();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            table.append(String.format(Locale.ROOT, "%-34s %12.4f %8.1f images/s%n", "decode 640x480 JPEG to NDArray", s / reps, reps / s));
        }
        CocoDetectionSource src = new CocoDetectionSource(ds, coco.resolve("images"), true, size, size * 1333 / 800);
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader loader = new PrefetchLoader(src, PrefetchLoader.Options.training(batch, 0), root)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                long t0 = System.nanoTime();
                int n = 0;
                for (Iterator<Batch> it = loader.epoch(epoch); it.hasNext(); ) {
                    try (Batch b = it.next()) {
                        n += b.size();
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                table.append(String.format(Locale.ROOT, "%-34s %12.3f %8.1f images/s%n",
                        "pipeline epoch " + epoch + (epoch == 0 ? " (warm-up)" : ""), s, n / s));
            }
        }
        table.append(String.format(Locale.ROOT, "%-34s %12s %11d MB%n", "peak RSS", "", PeakRss.megabytes()));
        System.out.print(table);
        return 0;
    }
}
