package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsFormatException;
import org.resvision.weights.WeightsIO;

/**
 * Copies a PyTorch {@code state_dict} into a {@link TorchModule} by name, like {@code
 * module.load_state_dict(sd, strict)}.
 *
 * <p>Names are matched after stripping {@code checkpointPrefix} from checkpoint keys (keys
 * without it are ignored), so {@code "backbone."} loads a detection checkpoint's backbone into a
 * {@code BackboneWithFpn}. A {@code module.} prefix from {@code DataParallel} is stripped too.
 * Legacy FPN names ({@code fpn.inner_blocks.0.weight}, torchvision before 0.13, used by its
 * published COCO checkpoints) are accepted for {@code fpn.inner_blocks.0.0.weight}, and the
 * legacy RPN head conv ({@code rpn.head.conv.weight}) for {@code rpn.head.conv.0.0.weight}.
 *
 * <p>Stateless; calls on different modules may run at the same time, but a load writes the
 * module's parameter arrays in place, so no other thread may use that module while it runs.
 */
public final class StateDictLoader {

    private static final Pattern FPN_V2 =
            Pattern.compile("(^|.*\\.)(inner_blocks|layer_blocks)\\.(\\d+)\\.0\\.(weight|bias)$");
    private static final Pattern RPN_CONV_V2 = Pattern.compile("(^|.*\\.)head\\.conv\\.0\\.0\\.(weight|bias)$");
    private static final String EXTRA_SUFFIX = "num_batches_tracked";
    private static final NDIndex ALL = new NDIndex("...");

    private StateDictLoader() {}

    /**
     * Makes {@code module}'s next {@code initialize} allocate its parameters without drawing
     * random values (torchvision's builders draw them, then {@code load_state_dict} overwrites
     * them): for a module about to be loaded strictly, where every parameter is then copied from
     * the checkpoint. Not for lenient loads, which may leave parameters as initialised.
     *
     * @param <T> the module's type
     * @param module a module not yet initialized; the initializer of every parameter is replaced by
     *     one that allocates arrays of unspecified content
     * @return {@code module}
     */
    public static <T extends TorchModule> T uninitializedForStrictLoad(T module) {
        module.setInitializer((manager, shape, dataType) -> manager.create(shape, dataType), p -> true);
        return module;
    }

    /**
     * Reads {@code file} (a {@code .pth} or safetensors) and loads it into {@code module}; the
     * file's arrays live in a sub-manager of {@code manager} that is closed before this returns,
     * so only the module's copy of the weights stays in memory.
     *
     * @param module the initialized module to fill
     * @param file the checkpoint; format recognised by content ({@link WeightsIO#load})
     * @param manager the parent of the temporary manager that holds the file's arrays; nothing is
     *     left attached to it
     * @param checkpointPrefix prefix of the wanted checkpoint keys ({@code ""} for all, {@code
     *     "backbone."} for a detection checkpoint's backbone; see {@link #detectPrefix})
     * @param strict throw unless every parameter is loaded and nothing is left over
     * @return what was loaded
     * @throws WeightsFormatException the file is not a readable state dict, or (see {@link
     *     #load(TorchModule, StateDict, Path, String, boolean)}) it does not fit the module
     * @throws java.io.IOException the file cannot be read
     * @throws IllegalStateException the module is not initialized
     */
    public static LoadReport load(TorchModule module, Path file, NDManager manager, String checkpointPrefix, boolean strict)
            throws java.io.IOException {
        try (NDManager tmp = manager.newSubManager()) {
            return load(module, WeightsIO.load(file, tmp), file, checkpointPrefix, strict);
        }
    }

    /**
     * Loads {@code dict} into {@code module}, which must be initialized.
     *
     * <p>Each matched tensor is copied into the parameter's existing array (converted to its device
     * and data type when they differ), without recording autograd; {@code dict} keeps its arrays
     * and the module shares none of them. When one of the exceptions below is thrown, nothing has
     * been copied.
     *
     * @param module the initialized module to fill
     * @param dict the checkpoint's tensors; not modified or closed
     * @param source the file the dict came from (for messages)
     * @param checkpointPrefix prefix of the wanted checkpoint keys ({@code ""} for all)
     * @param strict throw unless every parameter is loaded and nothing is left over
     * @return what was loaded
     * @throws WeightsFormatException in strict mode on any mismatch, and always when nothing at
     *     all matches (the file is for another architecture)
     * @throws IllegalStateException a parameter the checkpoint has is not initialized
     */
    public static LoadReport load(
            TorchModule module, StateDict dict, Path source, String checkpointPrefix, boolean strict)
            throws WeightsFormatException {
        Map<String, String> byName = new LinkedHashMap<>(); // stripped name -> checkpoint key
        for (String key : dict.names()) {
            String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
            if (k.startsWith(checkpointPrefix)) {
                byName.put(k.substring(checkpointPrefix.length()), key);
            }
        }
        Map<String, Parameter> params = module.namedParameters();
        Set<String> used = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        List<String> renamed = new ArrayList<>();
        List<Map.Entry<Parameter, NDArray>> copies = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            String found = byName.containsKey(name) ? name : legacyName(name, byName);
            if (found == null) {
                missing.add(name);
                continue;
            }
            if (!found.equals(name)) {
                renamed.add(found + " -> " + name);
            }
            used.add(found);
            Parameter p = e.getValue();
            if (!p.isInitialized()) {
                throw new IllegalStateException(
                        "initialize the module before loading weights (parameter " + name + ")");
            }
            NDArray src = dict.get(byName.get(found));
            if (!src.getShape().equals(p.getArray().getShape())) {
                mismatches.add(name + ": checkpoint " + src.getShape() + " vs model " + p.getArray().getShape());
                continue;
            }
            copies.add(Map.entry(p, src));
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : byName.keySet()) {
            if (!used.contains(name) && !name.endsWith(EXTRA_SUFFIX)) {
                unexpected.add(name);
            }
        }
        LoadReport report = new LoadReport(copies.size(), missing, unexpected, mismatches, renamed);
        if (copies.isEmpty() && !params.isEmpty()) {
            throw new WeightsFormatException(
                    source + ": no tensor matches this model"
                            + (checkpointPrefix.isEmpty() ? "" : " under prefix '" + checkpointPrefix + "'")
                            + " (wrong architecture?): " + report.summary());
        }
        if (strict && !report.isExact()) {
            throw new WeightsFormatException(source + ": checkpoint does not fit the model: " + report.summary());
        }
        // not recorded: an in-place write into a leaf that requires grad is an error while a thread
        // records, and every thread but the one that started the engine records by default
        try (Autograd.Scope off = Autograd.noGrad()) {
            for (Map.Entry<Parameter, NDArray> c : copies) {
                copy(c.getValue(), c.getKey().getArray());
            }
        }
        return report;
    }

    /**
     * The checkpoint prefix under which most of {@code module}'s parameter names appear (e.g.
     * {@code ""} for a classification checkpoint loaded into a ResNet, {@code "backbone."} for a
     * detection checkpoint loaded into a {@code BackboneWithFpn}), or {@code null} if no name
     * matches at all. A leading {@code module.} (DataParallel) is ignored.
     *
     * @param module the module whose {@link TorchModule#namedParameters()} names are looked for
     *     (it need not be initialized)
     * @param dict the checkpoint
     * @return the prefix most checkpoint keys have before a name of the module: empty, or ending
     *     in a dot; on a tie the shorter one; {@code null} when no key ends in a parameter name
     */
    public static String detectPrefix(TorchModule module, StateDict dict) {
        Set<String> names = module.namedParameters().keySet();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (String key : dict.names()) {
            String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
            for (int i = 0; i >= 0; i = k.indexOf('.', i) + 1) {
                if (names.contains(k.substring(i))) {
                    votes.merge(k.substring(0, i), 1, Integer::sum);
                    break;
                }
                if (k.indexOf('.', i) < 0) {
                    break;
                }
            }
        }
        String best = null;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (best == null || e.getValue() > votes.get(best)
                    || (e.getValue().equals(votes.get(best)) && e.getKey().length() < best.length())) {
                best = e.getKey();
            }
        }
        return best;
    }

    private static String legacyName(String name, Map<String, String> byName) {
        Matcher m = FPN_V2.matcher(name);
        if (m.matches()) {
            String old = m.group(1) + m.group(2) + "." + m.group(3) + "." + m.group(4);
            if (byName.containsKey(old)) {
                return old;
            }
        }
        Matcher r = RPN_CONV_V2.matcher(name);
        if (r.matches()) {
            String old = r.group(1) + "head.conv." + r.group(2);
            if (byName.containsKey(old)) {
                return old;
            }
        }
        return null;
    }

    /** A native in-place copy: no Java buffers, any device, the parameter's gradient flag kept. */
    private static void copy(NDArray src, NDArray dst) {
        if (src.getDataType() == dst.getDataType() && src.getDevice().equals(dst.getDevice())) {
            dst.set(ALL, src);
            return;
        }
        try (NDArray converted = src.toDevice(dst.getDevice(), true).toType(dst.getDataType(), true)) {
            dst.set(ALL, converted);
        }
    }

    /**
     * The module's parameters as a state dict with PyTorch's names, sharing the module's arrays
     * (no copy); BatchNorm's {@code num_batches_tracked} is added as an int64 zero scalar so the
     * file loads into torchvision with {@code strict=True}.
     *
     * @param module an initialized module
     * @param manager owns the {@code num_batches_tracked} scalars created here (and only those):
     *     close it once the dict has been written
     * @return a new dict in {@link TorchModule#namedParameters()} order, each {@code
     *     num_batches_tracked} right after its BatchNorm's {@code running_var}
     */
    public static StateDict export(TorchModule module, NDManager manager) {
        StateDict out = new StateDict();
        Map<String, Long> extra = module.extraStateKeys();
        Map<String, Parameter> params = module.namedParameters();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            out.put(e.getKey(), e.getValue().getArray());
            String prefix = e.getKey().substring(0, e.getKey().lastIndexOf('.') + 1);
            String extraKey = prefix + EXTRA_SUFFIX;
            if (e.getKey().endsWith("running_var") && extra.containsKey(extraKey)) {
                out.put(extraKey, manager.create(extra.get(extraKey))); // a 0-d int64 tensor
            }
        }
        return out;
    }
}
