package org.resvision.tools.corpus;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** {@code train}: recipe values no run can use, run folders that must not be touched, bad data. */
final class TrainCases implements BadInput.Source {

    static final String CONFIG = "{\"task\": \"detection\", \"model\": \"fasterrcnn_resnet18_fpn_small\", \"num_classes\": 3,"
            + " \"iterations\": 4, \"lr\": 0.01, \"milestones\": [3], \"warmup_iters\": 1, \"checkpoint_every\": 2}";

    /** A detection config with {@code field} set to {@code value} (raw JSON text). */
    static String config(String field, String value) {
        return CONFIG.replaceFirst("\"" + field + "\": [^,}]+", "\"" + field + "\": " + value.replace("$", "\\$"));
    }

    /** A small COCO training file (images are read only once training starts) and the train argv. */
    static String[] train(Path dir, String configText, String... more) throws Exception {
        Files.createDirectories(dir.resolve("coco/images"));
        Path ann = dir.resolve("coco/annotations/fault.json");
        Files.createDirectories(ann.getParent());
        Files.writeString(ann, CorpusSmokeCases.GT);
        Path config = Files.writeString(dir.resolve("c.json"), configText);
        List<String> argv = new ArrayList<>(List.of("train", "--config", config.toString(), "--data", "coco:" + ann, "--out",
                dir.resolve("run").toString()));
        argv.addAll(List.of(more));
        return argv.toArray(String[]::new);
    }

    /** A run folder holding a finished-looking checkpoint (the user's, never to be changed). */
    static void existingRun(Path dir) throws Exception {
        Path pair = Files.createDirectories(dir.resolve("run/checkpoints/iter-0000004"));
        Files.writeString(pair.resolve("model.safetensors"), "the user's weights");
        Files.writeString(pair.resolve("optimizer.safetensors"), "the user's momentum");
        Files.writeString(dir.resolve("run/model.safetensors"), "the user's weights");
    }

    static FileChannel held; // a run folder another training run holds (the lock lives as long as the test JVM)

    @Override
    public List<BadInput> cases() {
        return List.of(
                BadInput.error("train/iterations-negative", "the config file and `iterations -5 must be at least 1`",
                        d -> train(d, config("iterations", "-5")),
                        "c.json", "iterations -5 must be at least 1"),
                BadInput.error("train/iterations-zero", "the config file and `iterations 0 must be at least 1`",
                        d -> train(d, config("iterations", "0")),
                        "c.json", "iterations 0 must be at least 1"),
                BadInput.error("train/iterations-fraction", "the config file, line and column, and that 4.5 is not an integer",
                        d -> train(d, config("iterations", "4.5")),
                        "c.json:1:", "4.5"),
                BadInput.error("train/lr-negative", "the config file and `lr -1.0 must be a positive number`",
                        d -> train(d, config("lr", "-1")),
                        "c.json", "lr -1.0 must be a positive number"),
                BadInput.error("train/checkpoint-every-zero", "the config file and `checkpoint_every 0 must be at least 1`",
                        d -> train(Files.createDirectories(d.resolve("coco/annotations")).getParent().getParent(),
                                config("checkpoint_every", "0")),
                        "c.json", "checkpoint_every 0 must be at least 1"),
                BadInput.error("train/momentum-one", "the config file and `momentum 1.0 must be in [0, 1)`",
                        d -> train(d, config("lr", "0.01, \"momentum\": 1")),
                        "c.json", "momentum 1.0 must be in [0, 1)"),
                BadInput.usage("train/existing-run", "the run folder holds a run already: `--resume` continues it, `--overwrite` starts again; nothing in it is changed",
                        d -> {
                            existingRun(d);
                            return train(d, CONFIG);
                        },
                        "run", "holds a training run already", "--resume", "--overwrite"),
                BadInput.usage("train/resume-and-overwrite", "`--resume` and `--overwrite` together are refused; nothing is changed",
                        d -> {
                            existingRun(d);
                            return train(d, CONFIG, "--resume", "--overwrite");
                        },
                        "--resume", "--overwrite", "pass one of them"),
                BadInput.usage("train/out-is-a-file", "the `--out` path and that it is a file, not a folder",
                        d -> {
                            String[] argv = train(d, CONFIG);
                            Files.writeString(d.resolve("run"), "a file the user has");
                            return argv;
                        },
                        "run", "is a file; give a folder"),
                BadInput.error("train/run-locked", "the run folder and that another training run is writing into it",
                        d -> {
                            String[] argv = train(d, CONFIG);
                            Files.createDirectories(d.resolve("run"));
                            held = FileChannel.open(d.resolve("run/.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                            held.lock();
                            return argv;
                        },
                        "run", "another training run is writing into this folder"),
                BadInput.usage("train/missing-annotations", "the annotation file that does not exist",
                        d -> {
                            String[] argv = train(d, CONFIG);
                            Files.delete(d.resolve("coco/annotations/fault.json"));
                            return argv;
                        },
                        "fault.json", "no such annotation file"),
                BadInput.error("train/num-classes-one", "the config file and that `num_classes` must count the background and a class",
                        d -> train(d, config("num_classes", "1")),
                        "c.json", "num_classes 1 must count the background"));
    }
}
