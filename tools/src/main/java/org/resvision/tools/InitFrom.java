package org.resvision.tools;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.FasterRcnn;
import org.resvision.nn.LoadReport;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.segmentation.Fcn;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsFormatException;
import org.resvision.weights.WeightsIO;

/**
 * {@code train --init}: where a training run's first weights come from. A file is the whole
 * model, every key matched (a checkpoint of the same config). A published name is what
 * torchvision users fine-tune from: an ImageNet classifier initialises the ResNet body (its
 * {@code fc} is dropped; the rest starts random), a COCO detector or a segmenter initialises the
 * whole model but its class-specific last layers, which start random when the class count differs
 * (torchvision's recipe: replace {@code box_predictor} / the classifiers' last conv).
 */
final class InitFrom {

    private InitFrom() {}

    /** Loads {@code spec} into a detection model about to be trained; returns a line saying what was loaded. */
    static String detection(FasterRcnn model, DetectionConfig c, WeightsSpec spec, NDManager m) throws IOException {
        PublishedWeights w = spec.entry();
        if (w == null) {
            return whole(model, spec, m);
        }
        String note = "";
        if (w.model().equals("fasterrcnn_resnet50_fpn") && c.model().normEps() != 0f) {
            note = String.format(Locale.ROOT, " (note: torchvision runs these weights with norm_eps 0.0; this config has %s)", c.model().normEps());
        }
        return switch (w.task()) {
            case "classification" -> body(model.backbone().body(), c.model().backbone(), spec, m);
            case "detection" -> heads(model, spec, m, k -> k.startsWith("roi_heads.box_predictor."),
                    "the box predictor starts random for " + model.numClasses() + " classes") + note;
            default -> throw new WeightsFormatException(spec.file(), w.id() + " is a " + w.task() + " model; a detection run"
                    + " starts from a detection or classification checkpoint");
        };
    }

    /** Loads {@code spec} into a segmentation model about to be trained; returns a line saying what was loaded. */
    static String segmentation(Fcn fcn, WeightsSpec spec, NDManager m) throws IOException {
        PublishedWeights w = spec.entry();
        if (w == null) {
            return whole(fcn, spec, m);
        }
        return switch (w.task()) {
            case "classification" -> body(fcn.backbone(), fcn.backbone().config().arch(), spec, m);
            case "segmentation" -> heads(fcn, spec, m, k -> k.startsWith("classifier.4.") || k.startsWith("aux_classifier."),
                    "the classifiers' last layers start random for " + fcn.numClasses() + " classes");
            default -> throw new WeightsFormatException(spec.file(), w.id() + " is a " + w.task() + " model; a segmentation run"
                    + " starts from a segmentation or classification checkpoint");
        };
    }

    private static String whole(TorchModule model, WeightsSpec spec, NDManager m) throws IOException {
        LoadReport report = StateDictLoader.load(model, spec.file(), m, "", true);
        if (!report.isExact()) {
            throw new IOException(spec.file() + ": " + report.summary());
        }
        return "starting from " + spec.label() + " (" + report.loaded() + " tensors)";
    }

    /** An ImageNet classifier into the ResNet body: every body tensor must be there with its shape; fc is dropped. */
    private static String body(ResNet body, String arch, WeightsSpec spec, NDManager m) throws IOException {
        if (!spec.entry().model().equals(arch)) {
            throw new WeightsFormatException(spec.file(), spec.entry().id() + " is a " + spec.entry().model() + "; the config's backbone is "
                    + arch);
        }
        try (NDManager sub = m.newSubManager()) {
            StateDict sd = WeightsIO.load(spec.file(), sub);
            LoadReport r = StateDictLoader.load(body, sd, spec.file(), "", false);
            List<String> extra = r.unexpected().stream().filter(k -> !k.startsWith("fc.")).toList();
            if (!r.missing().isEmpty() || !r.shapeMismatches().isEmpty() || !extra.isEmpty()) {
                throw new WeightsFormatException(spec.file(), "does not fit the " + arch + " body: " + r.summary());
            }
            return "initialised the " + arch + " body from " + spec.label() + " (" + r.loaded() + " tensors); the heads start random";
        }
    }

    /** A whole published model, but the class-specific layers {@code classSpecific} names, which may differ in shape. */
    private static String heads(TorchModule model, WeightsSpec spec, NDManager m, Predicate<String> classSpecific, String reset)
            throws IOException {
        try (NDManager sub = m.newSubManager()) {
            StateDict sd = WeightsIO.load(spec.file(), sub);
            LoadReport r = StateDictLoader.load(model, sd, spec.file(), "", false);
            List<String> bad = new ArrayList<>();
            r.missing().stream().filter(classSpecific.negate()).forEach(bad::add);
            r.unexpected().stream().filter(classSpecific.negate()).forEach(bad::add);
            r.shapeMismatches().stream().filter(s -> !classSpecific.test(s.substring(0, s.indexOf(':')))).forEach(bad::add);
            if (!bad.isEmpty()) {
                throw new WeightsFormatException(spec.file(), spec.entry().id() + " does not fit this config: " + r.summary());
            }
            boolean resetAny = !r.shapeMismatches().isEmpty() || !r.missing().isEmpty();
            return "starting from " + spec.label() + " (" + r.loaded() + " tensors)" + (resetAny ? "; " + reset : "");
        }
    }
}
