package org.resvision.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small, strict unpickler for PyTorch state dicts (pickle protocols 2-4 as {@code torch.save}
 * writes them). It builds plain Java values (String, Long, Double, Boolean, null, {@link
 * Tuple}, List, LinkedHashMap) and, for the few globals a state dict needs, {@link StorageRef}
 * and {@link TensorRef}. Any other global is refused: a pickle can run arbitrary code in Python,
 * and here it can only describe tensors.
 */
final class Unpickler {

    /** A Python tuple. */
    record Tuple(List<Object> items) {}

    /** A {@code module.name} global, before it is called. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A persistent storage reference: {@code ('storage', torch.FloatStorage, key, location, numel)}. */
    record StorageRef(String dtype, String key, long numel) {}

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Map<String, String> STORAGE_DTYPES =
            Map.ofEntries(
                    Map.entry("FloatStorage", "F32"),
                    Map.entry("HalfStorage", "F16"),
                    Map.entry("BFloat16Storage", "BF16"),
                    Map.entry("DoubleStorage", "F64"),
                    Map.entry("LongStorage", "I64"),
                    Map.entry("IntStorage", "I32"),
                    Map.entry("ShortStorage", "I16"),
                    Map.entry("CharStorage", "I8"),
                    Map.entry("ByteStorage", "U8"),
                    Map.entry("BoolStorage", "BOOL"));

    private static final Set<String> ALLOWED =
            Set.of(
                    "collections.OrderedDict",
                    "torch._utils._rebuild_tensor_v2",
                    "torch._utils._rebuild_tensor",
                    "torch._utils._rebuild_parameter",
                    "torch._tensor._rebuild_from_type_v2",
                    "torch.Tensor",
                    "torch.nn.parameter.Parameter");

    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(ByteBuffer in) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads one pickle from {@code in}, advancing its position past the STOP opcode. */
    static Object load(ByteBuffer in) throws IOException {
        Unpickler u = new Unpickler(in);
        Object result = u.run();
        in.position(u.in.position());
        return result;
    }

    private Object run() throws IOException {
        try {
            while (true) {
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = in.get() & 0xff;
                        if (proto > 5) {
                            throw new IOException("unsupported pickle protocol " + proto);
                        }
                    }
                    case 0x95 -> in.getLong(); // FRAME: length only
                    case '.' -> { // STOP
                        return pop();
                    }
                    case '(' -> marks.add(stack.size()); // MARK
                    case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                    case 't' -> push(new Tuple(popMark())); // TUPLE
                    case 0x85 -> push(new Tuple(List.of(pop()))); // TUPLE1
                    case 0x86 -> { // TUPLE2
                        Object b = pop();
                        Object a = pop();
                        push(new Tuple(Arrays.asList(a, b)));
                    }
                    case 0x87 -> { // TUPLE3
                        Object c = pop();
                        Object b = pop();
                        Object a = pop();
                        push(new Tuple(Arrays.asList(a, b, c)));
                    }
                    case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
                    case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
                    case 'a' -> { // APPEND
                        Object v = pop();
                        asList(peek()).add(v);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark();
                        asList(peek()).addAll(items);
                    }
                    case 's' -> { // SETITEM
                        Object v = pop();
                        Object k = pop();
                        asMap(peek()).put(k, v);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark();
                        Map<Object, Object> m = asMap(peek());
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            m.put(items.get(i), items.get(i + 1));
                        }
                    }
                    case 'N' -> push(null); // NONE
                    case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                    case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                    case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                    case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                    case 'J' -> push((long) in.getInt()); // BININT
                    case 0x8a -> push(readLong1()); // LONG1
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT (big-endian)
                    case 'X' -> push(readString(in.getInt())); // BINUNICODE
                    case 0x8c -> push(readString(in.get() & 0xff)); // SHORT_BINUNICODE
                    case 'B' -> push(readBytes(in.getInt())); // BINBYTES
                    case 'C' -> push(readBytes(in.get() & 0xff)); // SHORT_BINBYTES
                    case 'q' -> memo.put((long) (in.get() & 0xff), peek()); // BINPUT
                    case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek()); // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                    case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                    case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
                    case 'c' -> push(global(readLine(), readLine())); // GLOBAL
                    case 0x93 -> { // STACK_GLOBAL
                        String name = (String) pop();
                        String module = (String) pop();
                        push(global(module, name));
                    }
                    case 'Q' -> push(persistent(pop())); // BINPERSID
                    case 'R' -> { // REDUCE
                        Object args = pop();
                        Object callable = pop();
                        push(reduce(callable, args));
                    }
                    case 'b' -> { // BUILD: state of an OrderedDict (_metadata) or a tensor: not needed
                        pop();
                    }
                    default -> throw new IOException(String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("pickle ends before its STOP opcode (truncated)");
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw new IOException("malformed pickle (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Object global(String module, String name) throws IOException {
        Global g = new Global(module, name);
        if ("torch".equals(module) && STORAGE_DTYPES.containsKey(name)) {
            return g;
        }
        if (!ALLOWED.contains(g.qualified())) {
            throw new IOException("not a state dict: the pickle references " + g.qualified());
        }
        return g;
    }

    private Object persistent(Object pid) throws IOException {
        if (!(pid instanceof Tuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0))) {
            throw new IOException("unsupported persistent id " + pid);
        }
        Object type = t.items().get(1);
        if (!(type instanceof Global g) || !STORAGE_DTYPES.containsKey(g.name())) {
            throw new IOException("unsupported storage type " + type);
        }
        return new StorageRef(STORAGE_DTYPES.get(g.name()), String.valueOf(t.items().get(2)), ((Number) t.items().get(4)).longValue());
    }

    private Object reduce(Object callable, Object args) throws IOException {
        if (!(callable instanceof Global g) || !(args instanceof Tuple t)) {
            throw new IOException("unsupported REDUCE of " + callable);
        }
        List<Object> a = t.items();
        return switch (g.qualified()) {
            case "collections.OrderedDict" -> new LinkedHashMap<Object, Object>();
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" ->
                    new TensorRef((StorageRef) a.get(0), ((Number) a.get(1)).longValue(), longs(a.get(2)), longs(a.get(3)));
            case "torch._utils._rebuild_parameter" -> a.get(0);
            case "torch._tensor._rebuild_from_type_v2" -> reduce(a.get(0), a.get(2));
            default -> throw new IOException("not a state dict: the pickle calls " + g.qualified());
        };
    }

    private static long[] longs(Object tuple) {
        List<Object> items = ((Tuple) tuple).items();
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) items.get(i)).longValue();
        }
        return out;
    }

    private Object readLong1() {
        int n = in.get() & 0xff;
        if (n == 0) {
            return 0L;
        }
        byte[] b = new byte[n];
        in.get(b);
        if (n > 8) { // beyond a long (torch's legacy magic number): a BigInteger
            byte[] be = new byte[n];
            for (int i = 0; i < n; i++) {
                be[i] = b[n - 1 - i];
            }
            return new java.math.BigInteger(be);
        }
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (n < 8 && (b[n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private String readString(int length) {
        byte[] b = readBytes(length);
        return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] readBytes(int length) {
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private String readLine() {
        StringBuilder sb = new StringBuilder();
        for (byte c = in.get(); c != '\n'; c = in.get()) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    private Object memoGet(long key) throws IOException {
        if (!memo.containsKey(key)) {
            throw new IOException("pickle refers to memo entry " + key + " that was never stored");
        }
        return memo.get(key);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        return (Map<Object, Object>) o;
    }
}
