package org.resvision.spark;

import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.resvision.tools.BatchDetector;

/**
 * The detector a job runs, as its options name it ({@code --config}, {@code --weights}, {@code
 * --score-thresh}, {@code --device}), shipped to the executors, where {@link #detector} loads it
 * once per executor JVM and every task of the job reuses it.
 *
 * @param config a detection config (local path or Hadoop URI), or null with a published checkpoint's name
 * @param weights a checkpoint (local path or Hadoop URI) or a published checkpoint's name
 * @param scoreThresh replaces the config's box_score_thresh when not negative
 * @param device cpu, gpu or gpu:N
 * @param threads libtorch's intra-op threads in the executor (0: spark.task.cpus, so that the tasks an executor runs at once share its cores)
 */
record ModelSpec(String config, String weights, float scoreThresh, String device, int threads) implements Serializable {

    private static final OncePerJvm<ModelSpec, BatchDetector> LOADED = new OncePerJvm<>();

    /**
     * The detector for the running task: with {@code --device gpu} and GPUs scheduled by Spark
     * ({@code spark.task.resource.gpu.amount}), the GPU Spark gave the task ({@code gpu:<address>}),
     * so that the tasks of an executor with several GPUs spread over them; one model per GPU.
     */
    BatchDetector detector(org.apache.spark.TaskContext tc, Configuration conf) throws IOException {
        ModelSpec spec = this;
        if (tc != null && device.equals("gpu")) {
            var gpu = tc.resources().get("gpu");
            if (gpu.isDefined() && gpu.get().addresses().length > 0) {
                spec = new ModelSpec(config, weights, scoreThresh, "gpu:" + gpu.get().addresses()[0], threads);
            }
        }
        return spec.detector(tc == null ? 1 : tc.cpus(), conf);
    }

    /**
     * This JVM's detector for the spec, loaded on first use (files on a Hadoop filesystem are
     * copied to the local disk first). Stays loaded for the executor's life: the next job with the
     * same spec reuses it.
     */
    BatchDetector detector(int taskCpus, Configuration conf) throws IOException {
        return LOADED.get(this, () -> {
            if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
                // before the engine starts: libtorch reads it once
                int n = threads > 0 ? threads : Math.max(1, taskCpus);
                System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(n));
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            }
            java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-model-");
            try {
                String c = config == null ? null : Storage.local(config, scratch, conf).toString();
                String w = isPublishedName(weights) ? weights : Storage.local(weights, scratch, conf).toString();
                return BatchDetector.open(c, w, scoreThresh, device);
            } finally {
                Storage.deleteTree(scratch); // the model is in memory now
            }
        });
    }

    /** The detector's class names, read on the driver from the config (or the published preset) without its weights. */
    java.util.List<String> classNames(Configuration conf) throws IOException {
        if (config == null) {
            return BatchDetector.classNames(null, weights);
        }
        java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-config-");
        try {
            return BatchDetector.classNames(Storage.local(config, scratch, conf).toString(), weights);
        } finally {
            Storage.deleteTree(scratch);
        }
    }

    /** How many models this JVM loaded so far. */
    static int loads() {
        return LOADED.loads();
    }

    /** A published checkpoint's name (no folder, no extension of a weights file). */
    static boolean isPublishedName(String weights) {
        return !weights.contains("/") && !weights.contains("\\") && !weights.matches(".*\\.(safetensors|pth|pt|bin|ckpt)$");
    }
}
