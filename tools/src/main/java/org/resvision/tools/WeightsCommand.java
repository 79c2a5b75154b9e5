package org.resvision.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.resvision.backbone.hub.DownloadProgress;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCacheException;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resvision weights list | fetch NAME [--force] | verify NAME|FILE}: torchvision's published checkpoints. */
@Command(name = "weights", header = "list, fetch (download, resumable, hash-checked) or verify torchvision's published checkpoints",
        customSynopsis = {"resvision weights list [--task TASK]", "       resvision weights fetch NAME [--force]",
            "       resvision weights verify NAME|FILE"},
        description = {
            "list    the checkpoints torchvision publishes for ResVision's models: name (* marks a model's default), task,"
                + " published metrics, parameters, and size and folder when cached",
            "fetch   the checkpoint NAME (resnet50:IMAGENET1K_V2, resnet50 for the default, or torchvision's"
                + " ResNet50_Weights.IMAGENET1K_V2): found in torch's hub cache or RESVISION_WEIGHTS_DIR, else downloaded into"
                + " RESVISION_WEIGHTS_DIR (torch's hub cache when unset); an interrupted download resumes, and the SHA-256 is"
                + " checked before the file is put in place",
            "verify  checks a cached checkpoint (NAME) or a file (FILE: known by the hash in its name or by its SHA-256)"
                + " against the catalog, and reads it as a state dict"},
        footer = {"Environment: TORCH_HOME (torch's cache), RESVISION_WEIGHTS_DIR, RESVISION_WEIGHTS_URL (a mirror serving the"
                + " files under their names), RESVISION_OFFLINE=1 (never download: say what to fetch and where to put it)."})
public final class WeightsCommand extends CliCommand {

    @Option(names = "--task", paramLabel = "TASK", description = "list: one task only (classification, detection, segmentation)")
    String task;

    @Option(names = "--force", description = "fetch: download again and replace the cached file (one failing its check, say)")
    boolean force;

    @Parameters(paramLabel = "list|fetch NAME|verify NAME|FILE", arity = "0..*", description = "the sub-command and its argument")
    List<String> words = new ArrayList<>();

    @Override
    protected int call() throws Exception {
        List<String> pos = words;
        if (pos.isEmpty()) {
            throw new UsageException("expected list, fetch NAME or verify NAME|FILE");
        }
        String sub = pos.get(0);
        switch (sub) {
            case "list" -> {
                expect(pos, 1, "list takes no arguments");
                refuse("--force", sub);
                return list(task);
            }
            case "fetch" -> {
                expect(pos, 2, "fetch takes one NAME");
                refuse("--task", sub);
                return fetch(pos.get(1), force);
            }
            case "verify" -> {
                expect(pos, 2, "verify takes one NAME or FILE");
                refuse("--task", sub);
                refuse("--force", sub);
                return verify(pos.get(1));
            }
            default -> throw new UsageException("unknown sub-command '" + sub + "': expected list, fetch or verify");
        }
    }

    private static void expect(List<String> pos, int n, String what) throws UsageException {
        if (pos.size() != n) {
            throw new UsageException(what + ", got " + (pos.size() - 1) + (pos.size() - 1 == 1 ? " argument" : " arguments"));
        }
    }

    private void refuse(String option, String sub) throws UsageException {
        if (given(option)) {
            throw new UsageException(option + " does not apply to 'weights " + sub + "'");
        }
    }

    private static int list(String task) throws UsageException {
        WeightsCatalog catalog = WeightsCatalog.get();
        List<PublishedWeights> entries = catalog.entries();
        if (task != null) {
            Set<String> tasks = new java.util.TreeSet<>();
            entries.forEach(e -> tasks.add(e.task()));
            if (!tasks.contains(task)) {
                throw new UsageException("--task must be one of " + String.join(", ", tasks) + ", got '" + task + "'");
            }
            entries = catalog.ofTask(task);
        }
        WeightsCache cache = WeightsCache.fromEnvironment();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "TASK", "METRICS", "PARAMS", "SIZE", "CACHED IN"});
        for (PublishedWeights w : entries) {
            Optional<Path> at = cache.locate(w);
            String size = "-";
            String where = "-";
            if (at.isPresent()) {
                try {
                    size = String.format(Locale.ROOT, "%.1f MB", Files.size(at.get()) / 1e6);
                } catch (java.io.IOException e) {
                    size = "?";
                }
                where = at.get().getParent().toString();
            }
            rows.add(new String[] {w.id() + (w.isDefault() ? " *" : ""), w.task(), metrics(w.metrics()),
                    String.format(Locale.ROOT, "%.1fM", w.numParams() / 1e6), size, where});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean right = i == 3 || i == 4;
                String cell = right ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
                line.append(cell).append(i + 1 < r.length ? "  " : "");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        sb.append(entries.size()).append(" checkpoints (").append(catalog.source()).append("); * = the model's default. Looked in ")
                .append(String.join(", ", cache.searchPath().stream().map(Path::toString).toList()))
                .append("; cached files are checked when used ('resvision weights verify NAME' checks one now)");
        System.out.println(sb);
        return 0;
    }

    /** {@code acc@1 69.758, acc@5 89.078} (each dataset's metrics; datasets separated by {@code ;}). */
    static String metrics(Map<String, Map<String, Double>> metrics) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Double> m : metrics.values()) {
            List<String> one = new ArrayList<>();
            m.forEach((k, v) -> one.add(k + " " + (v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf(v.longValue()) : String.valueOf(v))));
            parts.add(String.join(", ", one));
        }
        return parts.isEmpty() ? "-" : String.join("; ", parts);
    }

    private static int fetch(String name, boolean force) throws Exception {
        PublishedWeights w = WeightsCatalog.get().find(name);
        WeightsCache cache = WeightsCache.fromEnvironment();
        boolean wasThere = !force && cache.locate(w).isPresent();
        Path file = cache.fetch(w, DownloadProgress.terminal(), force);
        System.out.println(w.id() + ": " + file + (wasThere ? " (already cached, SHA-256 checked)" : " (downloaded, SHA-256 checked)"));
        return 0;
    }

    /** torch hub's hash in a file name: the hex digits after the last {@code -}, before the extension. */
    private static final Pattern NAME_HASH = Pattern.compile("-([0-9a-f]{6,64})\\.[A-Za-z0-9]+$");

    private static int verify(String spec) throws Exception {
        WeightsCatalog catalog = WeightsCatalog.get();
        Path file = Path.of(spec);
        PublishedWeights w;
        if (Files.isRegularFile(file)) {
            w = identify(catalog, file);
        } else if (Files.exists(file)) {
            throw new WeightsCacheException(file + ": is not a file");
        } else if (spec.contains("/") || spec.contains("\\") || spec.endsWith(".pth") || spec.endsWith(".pt") || spec.endsWith(".safetensors")) {
            throw new WeightsCacheException(file + ": no such file");
        } else {
            w = catalog.find(spec);
            WeightsCache cache = WeightsCache.fromEnvironment();
            Optional<Path> at = cache.locate(w);
            if (at.isEmpty()) {
                throw new WeightsCacheException(w.id() + " is not cached (looked in "
                        + String.join(", ", cache.searchPath().stream().map(Path::toString).toList()) + "); 'resvision weights fetch " + w.id()
                        + "' downloads it");
            }
            file = at.get();
            WeightsCache.verify(file, w);
        }
        long values = 0;
        int tensors;
        String format;
        try (NDManager manager = NDManager.newBaseManager()) {
            StateDict sd = WeightsIO.load(file, manager);
            tensors = sd.size();
            for (Map.Entry<String, NDArray> e : sd) {
                values += e.getValue().size();
            }
            String f = sd.metadata().get("format");
            format = "pth".equals(f) ? ".pth" : "pth-legacy".equals(f) ? "legacy .pth" : "safetensors";
        }
        System.out.println(file + ": OK: " + w.id() + " (SHA-256 starts with " + w.hashPrefix() + "), a " + format + " state dict of " + tensors
                + " tensors, " + String.format(Locale.ROOT, "%.1fM", values / 1e6) + " values");
        return 0;
    }

    /**
     * The entry {@code file} is: by its name (an entry's file name, or torch hub's hash in it), else
     * by its SHA-256; checked against the entry's hash prefix.
     */
    private static PublishedWeights identify(WeightsCatalog catalog, Path file) throws java.io.IOException {
        String name = file.getFileName().toString();
        for (PublishedWeights w : catalog.entries()) {
            if (w.fileName().equals(name)) {
                WeightsCache.verify(file, w);
                return w;
            }
        }
        Matcher m = NAME_HASH.matcher(name);
        if (m.find()) {
            for (PublishedWeights w : catalog.entries()) {
                if (!w.hashPrefix().isEmpty() && w.hashPrefix().equalsIgnoreCase(m.group(1))) {
                    WeightsCache.verify(file, w);
                    return w;
                }
            }
        }
        String sha = WeightsCache.sha256(file);
        for (PublishedWeights w : catalog.entries()) {
            if (!w.hashPrefix().isEmpty() && sha.startsWith(w.hashPrefix().toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new WeightsCacheException(file + ": SHA-256 " + sha.substring(0, 16) + "... matches no published checkpoint, and the name "
                + "carries no catalog hash ('resvision weights list' shows them)");
    }
}
