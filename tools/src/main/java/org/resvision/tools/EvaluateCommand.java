package org.resvision.tools;

import java.nio.file.Path;
import java.util.Set;

/** {@code resvision evaluate}: a trained model over a dataset split, with its metrics. */
public final class EvaluateCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision evaluate --config C.json --weights W --data voc:DIR [--split val]",
            "  Runs the model over the split and prints per-class IoU and accuracy, mIoU and pixel accuracy",
            "  (segmentation). Detection configs are not supported yet.");

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "evaluate trained weights on a dataset split (segmentation today)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("config", "weights", "data", "split"), Set.of(), USAGE);
        return SegmentationCommands.evaluate(SegmentationCommands.config(Path.of(args.require("config"))),
                Path.of(args.require("weights")), SegmentationCommands.vocData(args.require("data")), args.get("split", "val"));
    }
}
