package org.resvision.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/**
 * Training checkpoints in a run folder, each committed as one: the pair {@code model.safetensors}
 * (torchvision-named weights) and {@code optimizer.safetensors} (momentum buffers), both carrying
 * the iteration in their metadata, is written into a temporary folder that is then renamed to
 * {@code checkpoints/iter-NNNNNNN} in one step. A kill at any moment leaves either the previous
 * complete pair or the new one, never a mix; {@link #resume} takes the newest complete pair and
 * removes what an interrupted write left. The run folder's {@code model.safetensors} (what
 * {@code predict} and torchvision load) is a link to the newest pair's model, replaced
 * atomically after the pair is committed; older pairs are then removed.
 *
 * <p>Run folders written before this layout (the pair directly in the run folder) still resume.
 *
 * <p>Stateless and without locks: calls on different run folders are independent, but no two
 * threads or processes may save to or resume from the same run folder at once (a save removes
 * every other pair).
 */
public final class Checkpoints {

    private static final String STEP = "_iteration";
    private static final String MODEL = "model.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final Pattern ITER = Pattern.compile("iter-(\\d+)");
    /** What an interrupted write leaves: temporary pair folders and temporary files. */
    private static final Pattern TEMP = Pattern.compile("\\.tmp-.*|\\..*\\.tmp");

    private Checkpoints() {}

    /**
     * The folder holding the committed pairs.
     *
     * @param runDir the run folder
     * @return {@code runDir/checkpoints}, which may not exist
     */
    public static Path folder(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    /**
     * Whether {@code runDir} holds a checkpoint of either layout (a new run there would replace it).
     *
     * @param runDir the run folder; it need not exist
     * @return {@code true} when there is a committed pair, or a {@code model.safetensors} or {@code
     *     optimizer.safetensors} directly in {@code runDir}
     * @throws IOException the checkpoints folder cannot be listed
     */
    public static boolean exists(Path runDir) throws IOException {
        return latest(runDir) != null || Files.exists(runDir.resolve(OPTIMIZER)) || Files.exists(runDir.resolve(MODEL));
    }

    /**
     * Removes every checkpoint of either layout from {@code runDir} (a run started again).
     *
     * @param runDir the run folder; other files in it are kept
     * @throws IOException a file or folder cannot be moved or deleted
     */
    public static void clear(Path runDir) throws IOException {
        if (Files.isDirectory(folder(runDir))) {
            discard(folder(runDir));
        }
        Files.deleteIfExists(runDir.resolve(MODEL));
        Files.deleteIfExists(runDir.resolve(OPTIMIZER));
    }

    /**
     * Commits the model and optimizer state of {@code iteration} as one checkpoint.
     *
     * @param runDir the run folder; created if needed
     * @param model written with torchvision's names ({@link StateDictLoader#export})
     * @param optimizer its momentum buffers are written, plus an int64 {@code _iteration} scalar
     * @param iteration the number of completed iterations: both files' {@code iteration} metadata
     *     and the folder name {@code iter-NNNNNNN}; a pair of the same iteration is replaced
     * @param manager the parent of a scratch manager for the scalars written, closed before this
     *     returns
     * @throws IOException writing, renaming or deleting fails; up to the rename that commits the
     *     pair, the previous complete pair stays the newest; the temporary folder is deleted
     */
    public static void save(Path runDir, TorchModule model, Sgd optimizer, int iteration, NDManager manager) throws IOException {
        Path folder = folder(runDir);
        Files.createDirectories(folder);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("iteration", String.valueOf(iteration));
        Path tmp = folder.resolve(".tmp-" + iteration + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectory(tmp);
        try (NDManager scratch = manager.newSubManager()) { // the scalars written beside the tensors
            StateDict opt = optimizer.state();
            opt.put(STEP, scratch.create((long) iteration)); // never empty, even before the first update
            WeightsIO.saveSafetensors(tmp.resolve(OPTIMIZER), opt, meta);
            WeightsIO.saveSafetensors(tmp.resolve(MODEL), StateDictLoader.export(model, scratch), meta);
            Path dest = folder.resolve(String.format("iter-%07d", iteration));
            if (Files.exists(dest)) { // the same iteration committed before: moved aside first, so a kill never leaves it half-deleted
                Files.move(dest, folder.resolve(".tmp-replaced-" + tmp.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            publish(runDir, dest.resolve(MODEL));
            for (Path old : pairs(folder)) {
                if (!old.equals(dest)) {
                    discard(old);
                }
            }
            cleanLeftovers(runDir);
            Files.deleteIfExists(runDir.resolve(OPTIMIZER)); // the old layout's optimizer, now stale
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    /**
     * The iteration to continue from, restoring model and optimizer from the newest complete pair;
     * 0 if the folder has none. Leftovers of an interrupted write are removed first.
     *
     * @param runDir the run folder; it need not exist
     * @param model an initialized module, loaded strictly from the pair's {@code model.safetensors}
     * @param optimizer its momentum buffers are replaced by the pair's
     * @param manager owns the arrays read from both files; they stay attached to it after this
     *     returns (the model and optimizer keep their own copies), until it is closed
     * @return the iteration stored in the pair's metadata, i.e. how many iterations were done;
     *     {@code 0} when there is no checkpoint (nothing is loaded then)
     * @throws IOException a checkpoint cannot be read, the old layout has only one of the two
     *     files, or the two files are from different iterations
     * @throws org.resvision.weights.WeightsFormatException the model file does not fit
     *     {@code model} exactly
     */
    public static int resume(Path runDir, TorchModule model, Sgd optimizer, NDManager manager) throws IOException {
        cleanLeftovers(runDir);
        Path pair = latest(runDir);
        if (pair == null) {
            boolean hasModel = Files.exists(runDir.resolve(MODEL));
            boolean hasOptimizer = Files.exists(runDir.resolve(OPTIMIZER));
            if (!hasModel && !hasOptimizer) {
                return 0;
            }
            if (!hasModel || !hasOptimizer) {
                throw new IOException(runDir + ": holds " + (hasModel ? MODEL : OPTIMIZER) + " without its "
                        + (hasModel ? OPTIMIZER : MODEL) + ": no checkpoint to resume from");
            }
            pair = runDir; // the layout before checkpoints/ existed
        }
        Path m = pair.resolve(MODEL);
        StateDict weights = WeightsIO.load(m, manager);
        StateDictLoader.load(model, weights, m, "", true);
        Path o = pair.resolve(OPTIMIZER);
        StateDict opt = WeightsIO.load(o, manager);
        String it = weights.metadata().get("iteration");
        if (it == null || !it.equals(opt.metadata().get("iteration"))) {
            throw new IOException(pair + ": model and optimizer checkpoints are from different iterations");
        }
        StateDict buffers = new StateDict();
        for (var e : opt) {
            if (!e.getKey().equals(STEP)) {
                buffers.put(e.getKey(), e.getValue());
            }
        }
        optimizer.load(buffers);
        if (pair != runDir) {
            publish(runDir, m); // a kill between commit and publish left the run's model one pair behind
        }
        return Integer.parseInt(it);
    }

    /** The newest committed pair's folder, or null. */
    static Path latest(Path runDir) throws IOException {
        List<Path> all = pairs(folder(runDir));
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Committed pairs, oldest first. */
    private static List<Path> pairs(Path folder) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                Matcher mt = ITER.matcher(p.getFileName().toString());
                if (mt.matches() && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5))));
        return out;
    }

    /** Points the run folder's {@code model.safetensors} at {@code model} (a hard link, or a copy), atomically. */
    private static void publish(Path runDir, Path model) throws IOException {
        Path target = runDir.resolve(MODEL);
        Path tmp = runDir.resolve("." + MODEL + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
        try {
            try {
                Files.createLink(tmp, model);
            } catch (UnsupportedOperationException | IOException e) { // no hard links here: a copy
                Files.deleteIfExists(tmp);
                Files.copy(model, tmp);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes temporary pair folders and temporary files an interrupted write left in the run. */
    static void cleanLeftovers(Path runDir) throws IOException {
        for (Path dir : List.of(runDir, folder(runDir))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    if (TEMP.matcher(p.getFileName().toString()).matches()) {
                        deleteTree(p);
                    }
                }
            }
        }
    }

    /**
     * Deletes a pair (or the checkpoints folder) so that a kill half-way never leaves a visible,
     * incomplete pair: it is renamed to a temporary name first, which {@link #cleanLeftovers} removes.
     */
    private static void discard(Path p) throws IOException {
        Path doomed = p.resolveSibling(".tmp-discard-" + p.getFileName() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.move(p, doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
