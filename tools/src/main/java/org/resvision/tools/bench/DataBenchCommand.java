package org.resvision.tools.bench;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.tools.Args;
import org.resvision.tools.Command;

/** {@code resvision bench-data}: COCO JSON loading and training-pipeline throughput, as a table. */
public final class DataBenchCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision bench-data [--gt GT.json] [--dt RESULTS.json] [--images N] [--batch B] [--size S] [--work DIR]",
            "  Times COCO reading (GT and results files, when given) and the training pipeline: N synthetic",
            "  640x480 images (written once to DIR) decoded, flipped, normalised, resized by torchvision's rule",
            "  (short side S, default 800) and batched (B, default 2) by the prefetching loader on every core.",
            "  Prints a table; peak RSS is the whole process's.");

    @Override
    public String name() {
        return "bench-data";
    }

    @Override
    public String summary() {
        return "benchmark: COCO JSON loading and training-pipeline images/s";
    }

    /** Heap in use after a full collection: what the loaded data keep alive. */
    private static long retainedMb() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("gt", "dt", "images", "batch", "size", "work"), Set.of(), USAGE);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-34s %12s %14s%n", "step", "seconds", "rate"));
        if (args.get("gt", null) != null) {
            long t0 = System.nanoTime();
            CocoDataset gt = CocoReader.readDataset(Path.of(args.get("gt", null)));
            double s = (System.nanoTime() - t0) / 1e9;
            table.append(String.format(Locale.ROOT, "%-34s %12.3f %10.0f ann/s%n",
                    "read GT (" + gt.annotations().size() + " annotations)", s, gt.annotations().size() / s));
            table.append(String.format(Locale.ROOT, "%-34s %12s %11d MB%n", "  heap held by the GT", "", retainedMb()));
        }
        if (args.get("dt", null) != null) {
            long t0 = System.nanoTime();
            List<CocoResult> dt = CocoReader.readResults(Path.of(args.get("dt", null)));
            double s = (System.nanoTime() - t0) / 1e9;
            table.append(String.format(Locale.ROOT, "%-34s %12.3f %10.0f det/s%n", "read results (" + dt.size() + ")", s, dt.size() / s));
            table.append(String.format(Locale.ROOT, "%-34s %12s %11d MB%n", "  heap held by GT + results", "", retainedMb()));
        }
        int images = args.getInt("images", 64);
        int batch = args.getInt("batch", 2);
        int size = args.getInt("size", 800);
        Path work = Path.of(args.get("work", "target/bench/data"));
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
