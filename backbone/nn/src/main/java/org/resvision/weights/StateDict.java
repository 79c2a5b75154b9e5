package org.resvision.weights;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ordered {@code name -> tensor} map, as PyTorch's {@code state_dict()}. The arrays belong to
 * whichever manager created them (the one given to {@link WeightsIO#load}); this map owns
 * nothing.
 *
 * <p>Not thread-safe (plain {@code LinkedHashMap}s inside): use one per thread, or synchronize.
 */
public final class StateDict implements Iterable<Map.Entry<String, NDArray>> {

    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /**
     * Adds or replaces a tensor.
     *
     * @param name the PyTorch key ({@code layer1.0.conv1.weight}); a new name goes last
     * @param array stored as is: not copied, and a replaced array is not closed
     * @return this dict, for chaining
     */
    public StateDict put(String name, NDArray array) {
        tensors.put(name, array);
        return this;
    }

    /**
     * The tensor of that name, or {@code null}.
     *
     * @param name the exact key
     * @return the stored array itself (not a copy), or {@code null} when there is none
     */
    public NDArray get(String name) {
        return tensors.get(name);
    }

    /**
     * Whether a tensor of that name is stored.
     *
     * @param name the exact key
     * @return {@code true} when {@link #get} would return an array
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * Names in file order.
     *
     * @return an unmodifiable view of the keys, in insertion order (file order for a loaded dict)
     */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /**
     * The number of tensors.
     *
     * @return how many names are stored (metadata not counted)
     */
    public int size() {
        return tensors.size();
    }

    /**
     * Free-form string metadata (safetensors' {@code __metadata__}; where a .pth came from).
     *
     * @return the dict's own mutable map (changes stay): {@link WeightsIO#load} puts {@code format}
     *     = {@code pth} or {@code pth-legacy} for torch files, a safetensors file's {@code
     *     __metadata__} pairs; {@link WeightsIO#saveSafetensors} does not write this map, only its
     *     {@code metadata} argument
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Iterator<Map.Entry<String, NDArray>> iterator() {
        return Collections.unmodifiableMap(tensors).entrySet().iterator();
    }
}
