package org.resvision.backbone.weights;

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
 */
public final class StateDict implements Iterable<Map.Entry<String, NDArray>> {

    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds or replaces a tensor. */
    public StateDict put(String name, NDArray array) {
        tensors.put(name, array);
        return this;
    }

    /** The tensor of that name, or {@code null}. */
    public NDArray get(String name) {
        return tensors.get(name);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Names in file order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public int size() {
        return tensors.size();
    }

    /** Free-form string metadata (safetensors' {@code __metadata__}; where a .pth came from). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Iterator<Map.Entry<String, NDArray>> iterator() {
        return Collections.unmodifiableMap(tensors).entrySet().iterator();
    }
}
