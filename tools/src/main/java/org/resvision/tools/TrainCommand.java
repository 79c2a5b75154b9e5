package org.resvision.tools;

import java.nio.file.Path;
import java.util.Set;
import org.resvision.segmentation.SegmentationModelConfig;

/** {@code resvision train}: trains the model a config describes (segmentation today). */
public final class TrainCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision train --config C.json --data voc:DIR --out RUN_DIR [--resume]",
            "  Trains the config's model (segmentation: FCN with torchvision's reference recipe) on the VOC",
            "  folder's train split, evaluating mIoU on val at each checkpoint. RUN_DIR gets config.json,",
            "  model.safetensors and optimizer.safetensors (written atomically); --resume continues from them",
            "  exactly (weights, momentum, iteration, data order). A NaN loss stops with a message and keeps",
            "  the last good checkpoint. Detection configs are not supported yet.");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a model from a config (segmentation today)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("config", "data", "out"), Set.of("resume"), USAGE);
        Path config = Path.of(args.require("config"));
        SegmentationModelConfig c = SegmentationCommands.config(config);
        return SegmentationCommands.train(c, config, SegmentationCommands.vocData(args.require("data")),
                Path.of(args.require("out")), args.flag("resume"));
    }
}
