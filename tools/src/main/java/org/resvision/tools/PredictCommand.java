package org.resvision.tools;

import java.nio.file.Path;
import java.util.Set;

/** {@code resvision predict}: masks for images. */
public final class PredictCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision predict --config C.json --weights W IMAGES... --out DIR [--draw DIR]",
            "  Segmentation: one VOC-palette PNG of class indices per image in DIR (same stem), and with",
            "  --draw a colour overlay per image. Detection configs are not supported yet.");

    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String summary() {
        return "predict masks for images (segmentation today)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("config", "weights", "out", "draw"), Set.of(), USAGE);
        if (args.positional().isEmpty()) {
            throw new UsageException("no IMAGES given\n" + USAGE);
        }
        String draw = args.get("draw", null);
        return SegmentationCommands.predict(SegmentationCommands.config(Path.of(args.require("config"))),
                Path.of(args.require("weights")), args.positional(), Path.of(args.require("out")), draw == null ? null : Path.of(draw));
    }
}
