package org.resvision.nn;

import java.util.List;

/**
 * What {@link StateDictLoader#load} did: how many tensors were copied and which names did not
 * line up. {@code num_batches_tracked} buffers are neither missing nor unexpected (PyTorch
 * keeps them only for BatchNorm's momentum-free mode; torchvision's FrozenBatchNorm2d drops them
 * on load too).
 *
 * @param loaded tensors copied into the module
 * @param missing module parameters the checkpoint lacks
 * @param unexpected checkpoint tensors the module has no parameter for
 * @param shapeMismatches "name: checkpoint [a, b] vs model [c, d]" for each name whose shapes
 *     differ (not loaded)
 * @param renamed legacy names that were accepted under their current name ("old -> new")
 */
public record LoadReport(
        int loaded,
        List<String> missing,
        List<String> unexpected,
        List<String> shapeMismatches,
        List<String> renamed) {

    /**
     * Copies the four lists into unmodifiable ones.
     *
     * @param loaded the number of tensors copied into the module
     * @param missing module parameter names the checkpoint lacks
     * @param unexpected checkpoint names (prefix stripped) the module has no parameter for
     * @param shapeMismatches one "name: checkpoint [a, b] vs model [c, d]" line per name not loaded
     * @param renamed "old -&gt; new" for each legacy name accepted
     * @throws NullPointerException if a list or one of its elements is {@code null}
     */
    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        shapeMismatches = List.copyOf(shapeMismatches);
        renamed = List.copyOf(renamed);
    }

    /**
     * True when every parameter was loaded and nothing was left over.
     *
     * @return {@code true} when {@code missing}, {@code unexpected} and {@code shapeMismatches} are
     *     all empty (renamed legacy names do not count against it)
     */
    public boolean isExact() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
    }

    /**
     * One line: counts plus the first few names of each problem.
     *
     * @return e.g. {@code "318 tensors loaded; 2 missing: fc.weight, fc.bias"}: at most 5 names per
     *     problem, then how many more; renamed names are not listed
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(loaded).append(" tensors loaded");
        append(sb, "missing", missing);
        append(sb, "unexpected", unexpected);
        append(sb, "shape mismatches", shapeMismatches);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String what, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        sb.append("; ").append(names.size()).append(' ').append(what).append(": ");
        int shown = Math.min(5, names.size());
        sb.append(String.join(", ", names.subList(0, shown)));
        if (names.size() > shown) {
            sb.append(", ... (").append(names.size() - shown).append(" more)");
        }
    }
}
