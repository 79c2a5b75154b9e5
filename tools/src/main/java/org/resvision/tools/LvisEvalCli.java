package org.resvision.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.lvis.LvisDataset;
import org.resvision.eval.lvis.LvisEvalResult;
import org.resvision.eval.lvis.LvisEvaluator;

/**
 * {@code resvision coco-eval --protocol lvis}: lvis-api's LVISEval on an LVIS annotation file and
 * a results file. Stateless; one call per command line.
 */
final class LvisEvalCli {

    /** coco-eval's options that do not apply with --protocol lvis, in its usage order. */
    static final List<String> NOT_LVIS = List.of("--per-class", "--max-dets", "--cat-ids", "--plot", "--box-masks", "--timing",
            "--diagnostics", "--confusion-iou", "--confusion-score", "--match-iou", "--f-beta", "--calibration-bins", "--report",
            "--compare", "--bootstrap", "--seed", "--device");

    private LvisEvalCli() {}

    /**
     * Runs the LVIS evaluation: prints lvis-api's {@code print_results()} text, or with --json
     * {@code {"protocol": "lvis", "results": {name: value}}}. Any option of coco-eval that does not
     * apply is a one-line usage error.
     */
    static int run(CocoEvalCommand args) throws Exception {
        for (String o : NOT_LVIS) {
            if (args.given(o)) {
                throw new UsageException(o + " does not apply to --protocol lvis (it takes --gt, --dt, --iou-type, --json)");
            }
        }
        Path gtFile = args.gtOption;
        if (args.dtOptions.size() > 1) {
            throw new UsageException("--protocol lvis takes one --dt file (concatenate shards into one results file)");
        }
        Path dtFile = args.dtOptions.get(0);
        String t = args.iouType;
        LvisEvaluator.IouType type = switch (t) {
            case "bbox" -> LvisEvaluator.IouType.BBOX;
            case "segm" -> LvisEvaluator.IouType.SEGM;
            default -> throw new UsageException("--iou-type must be bbox or segm with --protocol lvis, got '" + t + "'");
        };
        LvisDataset gt = LvisDataset.read(gtFile);
        List<CocoResult> dt = CocoReader.readResults(dtFile, type == LvisEvaluator.IouType.SEGM);
        LvisEvalResult r;
        try {
            r = LvisEvaluator.evaluate(gt, dt, type);
        } catch (CocoEvalException e) {
            throw new CocoEvalException((e.inGroundTruth() ? gtFile : dtFile) + ": " + e.getMessage(), e.inGroundTruth());
        }
        if (args.json) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("protocol", "lvis");
            ObjectNode res = root.putObject("results");
            for (Map.Entry<String, Double> e : r.results().entrySet()) {
                res.put(e.getKey(), e.getValue());
            }
            System.out.println(json.writeValueAsString(root));
        } else {
            System.out.println(r.summaryText());
        }
        return 0;
    }
}
