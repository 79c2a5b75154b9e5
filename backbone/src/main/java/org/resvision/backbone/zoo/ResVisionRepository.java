package org.resvision.backbone.zoo;

import ai.djl.Application;
import ai.djl.repository.AbstractRepository;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Metadata;
import ai.djl.util.Progress;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCatalog;

/**
 * ResVision's models behind DJL's {@code Criteria}, with no ResVision class in the user's code.
 *
 * <p><b>Forms.</b> {@code resvision://MODEL?weights=W} (an entry of {@link WeightsCatalog}:
 * detection to {@code DetectedObjects}, segmentation to {@code CategoryMask}, ImageNet
 * classification to {@code Classifications}; {@code weights} may be left out for the default) and {@code
 * resvision:///abs/path/checkpoint.safetensors?config=CONFIG} (one's own checkpoint; {@code
 * CONFIG} is a preset name such as {@code fasterrcnn_resnet18_fpn_small}, {@code fcn_small} or
 * {@code resnet50}, or a config JSON path; {@code task=detection|segmentation} when a preset name does not tell).
 * The device is DJL's own {@code Criteria.Builder.optDevice}.
 *
 * <p><b>Why this route (DJL 0.35.1 and 0.36.0).</b> {@code Criteria.Builder.optModelUrls} and {@code
 * optModelPath} both replace the criteria's model zoo by a {@code DefaultModelZoo}, so no
 * {@code ZooProvider} is ever asked: the URL goes to {@code Repository.newInstance}, i.e. to the
 * {@code RepositoryFactory} registered for its scheme through {@code ServiceLoader} ({@link
 * ResVisionRepositoryFactory}), and the model is then loaded by DJL's {@code BaseModelLoader}.
 * That loader takes everything else from the matched {@link Artifact}'s arguments and options,
 * which this repository writes:
 * <ul>
 *   <li>{@code translatorFactory}: the class name of the task's factory ({@code
 *       BaseModelLoader.getTranslatorFactory} instantiates it), which gives the {@code
 *       DetectionTranslator} / {@code SegmentationTranslator};
 *   <li>{@code blockFactory}: the same class ({@code BaseModelLoader.createModel} calls {@code
 *       BlockFactory.newBlock} and {@code Model.setBlock}), which builds the network and loads
 *       the PyTorch state dict strictly with ResVision's own loader;
 *   <li>option {@code hasParameter=false}: {@code PtModel.load} with a block set would otherwise
 *       look for DJL's {@code .params} file ({@code BaseModel.loadBlock}); the weights are in
 *       already;
 *   <li>{@code engine=PyTorch}.
 * </ul>
 * The factories are named as strings (detection and segmentation depend on this module, not the
 * other way), and they live in {@code resvision-detection} / {@code resvision-segmentation}.
 * Alternatives rejected: a {@code BlockFactory} alone still needs a {@code .params} file; a
 * {@code ModelLoader} of one's own is never asked for a URL ({@code DefaultModelZoo} always makes
 * a {@code BaseModelLoader}); registering the {@code file} scheme would take over every local
 * model of the process. Criteria without a URL reach the same repository through {@link
 * ResVisionModelZoo}.
 *
 * <p>With DJL's {@code optModelPath(checkpoint)} the repository is DJL's own, so the same keys
 * go in the criteria instead: {@code optArgument("config", ...)}, {@code
 * optArgument("translatorFactory", F)}, {@code optArgument("blockFactory", F)} and {@code
 * optOption("hasParameter", "false")}, {@code F} being {@link #DETECTION_FACTORY} or {@link
 * #SEGMENTATION_FACTORY} ({@code BaseModelLoader} looks for the translator factory before it reads
 * anything of the model's, and {@code PtModel.load} needs the block before it reads the file).
 * {@code optModelUrls("resvision:///path/checkpoint?config=C")} is the same without the names.
 *
 * <p>Once constructed, safe to use from several threads: its fields are set in the constructor,
 * the artifact metadata is built once under {@link #locate}'s lock, and downloads go through the
 * thread-safe {@link org.resvision.backbone.hub.WeightsCache}.
 */
public final class ResVisionRepository extends AbstractRepository {

    /** Builds a Faster R-CNN and its translator (in resvision-detection). */
    public static final String DETECTION_FACTORY = "org.resvision.detection.zoo.FasterRcnnZooFactory";
    /** Builds an FCN and its translator (in resvision-segmentation). */
    public static final String SEGMENTATION_FACTORY = "org.resvision.segmentation.zoo.FcnZooFactory";
    /** Builds an ImageNet ResNet and DJL's classification translator (in this module). */
    public static final String CLASSIFICATION_FACTORY = "org.resvision.backbone.zoo.ResNetZooFactory";
    /** Argument: the catalog id ({@code model:weights}) of a published checkpoint. */
    public static final String ARG_WEIGHTS = "resvision.weights";
    /** Argument: the checkpoint file. */
    public static final String ARG_FILE = "resvision.file";
    /** Argument: a preset name or a config JSON path, for one's own checkpoint. */
    public static final String ARG_CONFIG = "config";
    /** The group id of the MRLs. */
    public static final String GROUP_ID = "org.resvision";

    private final String model;
    private final PublishedWeights published;
    private final Path file;
    private final String task;
    private Metadata metadata;

    ResVisionRepository(String name, URI uri) {
        super(name, uri);
        String authority = uri.getRawAuthority();
        if (authority != null && !authority.isEmpty()) {
            String weights = arguments.get("weights");
            published = WeightsCatalog.get().find(weights == null ? authority : authority + ":" + weights);
            task = published.task();
            model = published.model();
            file = null;
        } else if (uri.getPath() != null && !uri.getPath().isEmpty()) {
            published = null;
            file = Path.of(uri.getPath());
            String config = arguments.get(ARG_CONFIG);
            if (config == null) {
                throw new IllegalArgumentException(uri + ": a checkpoint needs ?config=PRESET_OR_CONFIG_JSON");
            }
            task = arguments.getOrDefault("task", taskOf(config));
            model = file.getFileName().toString();
        } else {
            throw new IllegalArgumentException(uri + ": expected resvision://MODEL?weights=W or resvision:///path/checkpoint?config=C");
        }
        factory(); // a missing module fails here, at optModelUrls
    }

    /** The task of a config: a JSON file's {@code task} (default detection), or by a preset's name. */
    static String taskOf(String config) {
        Path p = Path.of(config);
        if (config.toLowerCase(Locale.ROOT).endsWith(".json") || Files.isRegularFile(p)) {
            try {
                return new ObjectMapper().readTree(p.toFile()).path("task").asText("detection");
            } catch (IOException e) {
                throw new IllegalArgumentException(config + ": cannot read the config: " + e.getMessage(), e);
            }
        }
        if (config.startsWith("fcn")) {
            return "segmentation";
        }
        return config.startsWith("fasterrcnn") ? "detection" : "classification";
    }

    private String factory() {
        String cls = switch (task) {
            case "detection" -> DETECTION_FACTORY;
            case "segmentation" -> SEGMENTATION_FACTORY;
            case "classification" -> CLASSIFICATION_FACTORY;
            default -> throw new IllegalArgumentException(uri + ": unknown task '" + task + "' (detection, segmentation, classification)");
        };
        try {
            Class.forName(cls, false, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(uri + ": " + task + " models need resvision-" + task + " on the class path");
        }
        return cls;
    }

    private Application application() {
        return switch (task) {
            case "detection" -> Application.CV.OBJECT_DETECTION;
            case "segmentation" -> Application.CV.SEMANTIC_SEGMENTATION;
            default -> Application.CV.IMAGE_CLASSIFICATION;
        };
    }

    /** The checkpoint: a catalog entry's verified cached file, or the URL's path. */
    private Path checkpoint() throws IOException {
        if (published != null) {
            return PretrainedFiles.checkpoint(published);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such checkpoint file");
        }
        return file;
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    @Override
    public synchronized Metadata locate(MRL mrl) {
        if (metadata == null) {
            Artifact artifact = new Artifact();
            artifact.setName(model);
            Map<String, Object> args = new HashMap<>(arguments);
            String cls = factory();
            args.put("translatorFactory", cls);
            args.put("blockFactory", cls);
            args.put("engine", "PyTorch");
            if (published != null) {
                args.put(ARG_WEIGHTS, published.id());
            } else {
                args.put(ARG_FILE, file.toAbsolutePath().toString());
            }
            artifact.setArguments(args);
            Map<String, String> options = new HashMap<>();
            options.put("hasParameter", "false");
            artifact.setOptions(options);
            Metadata m = new Entry(published);
            m.setApplication(application());
            m.setGroupId(GROUP_ID);
            m.setArtifactId(model);
            m.setRepositoryUri(URI.create(""));
            m.setArtifacts(List.of(artifact));
            artifact.setMetadata(m);
            metadata = m;
        }
        return metadata;
    }

    /** The one artifact; a {@code weights} filter ({@code Criteria.optFilter}) must name it (or DEFAULT, for the default). */
    private static final class Entry extends Metadata {

        private final transient PublishedWeights published;

        Entry(PublishedWeights published) {
            this.published = published;
        }

        @Override
        public List<Artifact> search(ai.djl.repository.VersionRange versionRange, Map<String, String> filter) {
            String wanted = filter == null ? null : filter.get("weights");
            if (wanted == null || published == null || published.weights().equalsIgnoreCase(wanted)
                    || wanted.equalsIgnoreCase("DEFAULT") && published.isDefault()) {
                return getArtifacts();
            }
            return List.of();
        }
    }

    /**
     * The catalog entry, or null for a checkpoint of one's own.
     *
     * @return the entry the URL's {@code MODEL?weights=W} names, or {@code null} for a {@code
     *     resvision:///path} URL
     */
    public PublishedWeights published() {
        return published;
    }

    @Override
    public Artifact resolve(MRL mrl, Map<String, String> filter) throws IOException {
        return locate(mrl).getArtifacts().get(0);
    }

    /**
     * The checkpoint file itself, found and verified here (DJL's loader passes its folder to the
     * block factory, which finds it again by {@link #ARG_WEIGHTS} or {@link #ARG_FILE}).
     */
    @Override
    public Path getResourceDirectory(Artifact artifact) throws IOException {
        return checkpoint().toAbsolutePath();
    }

    @Override
    public void prepare(Artifact artifact, Progress progress) {
        // nothing to download: getResourceDirectory finds the file
    }

    @Override
    public Path getCacheDirectory() throws IOException {
        return checkpoint().toAbsolutePath().getParent();
    }

    @Override
    public List<MRL> getResources() {
        return List.of(model(application(), GROUP_ID, model));
    }
}
