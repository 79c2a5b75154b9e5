package org.resvision.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libtorch op that DJL does not expose, called through a one-method TorchScript module built
 * in memory from source text (no file shipped): {@code forward(self, a: Tensor, b: Tensor, ...)}
 * whose body calls ATen as TorchScript's serialized code does ({@code torch.relu_(x)}, {@code
 * torch.cross_entropy_loss(...)}). Autograd records the ops inside as it records any op: the call
 * runs in grad mode exactly when {@link Autograd#isRecording()}.
 *
 * <p>Arguments are PyTorch arrays ({@link #pytorch}); a named one goes in as an unnamed view (DJL
 * reads array names as TorchScript argument structure). Callers keep a DJL fallback for other
 * engines and for a module that did not load ({@link #load} then logs one warning and returns
 * null).
 */
public final class TorchScriptOp {

    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptOp.class);

    private static final Map<String, Optional<TorchScriptOp>> LOADED = new ConcurrentHashMap<>();

    private final PtSymbolBlock module;

    private TorchScriptOp(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * Builds and loads a module, unless {@code -D<property>=false}.
     *
     * @param className the TorchScript class name ({@code __torch__.<className>}), a Python
     *     identifier
     * @param forward the {@code forward} method's source, indented by two spaces as a class body
     *     line, whose first parameter is {@code self: __torch__.<className>}
     * @param property a system property that turns the op off when {@code false}
     * @return the loaded op; {@code null} when turned off or when libtorch refused the module (one
     *     warning naming the op and the reason)
     */
    public static TorchScriptOp load(String className, String forward, String property) {
        if (!Boolean.parseBoolean(System.getProperty(property, "true"))) {
            return null;
        }
        // the manager owns the module for the life of the JVM, like DJL's engine state: the
        // module holds no tensors, and ops on any device use the inputs' device
        NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try (InputStream in = new ByteArrayInputStream(archive(className, source(className, forward)))) {
            return new TorchScriptOp(JniUtils.loadModule((PtNDManager) manager, in, true, false));
        } catch (IOException | RuntimeException e) {
            manager.close();
            LOG.warn("libtorch op {} unavailable, using DJL's ops instead: {}", className, e.toString());
            return null;
        }
    }

    /**
     * The op of this class name, built by {@link #load} on first use and the same one after (a
     * refused one stays refused: null), for callers that make one op per geometry.
     *
     * @param className the TorchScript class name, which names the op's variant (see {@link #load})
     * @param forward makes the {@code forward} method's source from the class name, called once
     * @param property as for {@link #load}, read at the first use only
     * @return the loaded op, or null
     */
    public static TorchScriptOp loadOnce(String className, Function<String, String> forward, String property) {
        return LOADED.computeIfAbsent(className, n -> Optional.ofNullable(load(n, forward.apply(n), property))).orElse(null);
    }

    /**
     * Whether {@code x} is an unnamed PyTorch array, one that {@link #call} passes as it is (an op
     * that writes into its argument, like {@link InplaceRelu}, writes into {@code x} itself).
     *
     * @param x any array
     * @return {@code true} for an unnamed PyTorch array
     */
    public static boolean accepts(NDArray x) {
        return x instanceof PtNDArray && x.getName() == null;
    }

    /**
     * Whether {@code x} is a PyTorch array, one {@link #call} can take.
     *
     * @param x any array
     * @return {@code true} for an array of DJL's PyTorch engine
     */
    public static boolean pytorch(NDArray x) {
        return x instanceof PtNDArray;
    }

    /**
     * Runs {@code forward} on the arrays, recorded by autograd when it records.
     *
     * @param inputs the arguments in order, each a PyTorch array (a named one goes in as an unnamed
     *     view); not closed
     * @return the result (a tuple result gives several arrays), owned by the first input's manager
     */
    public NDList call(NDArray... inputs) {
        NDList args = new NDList(inputs.length);
        NDList views = new NDList();
        for (NDArray a : inputs) {
            NDArray arg = a.getName() == null ? a : a.reshape(a.getShape()); // a view, unnamed
            if (arg != a) {
                views.add(arg);
            }
            args.add(arg);
        }
        try {
            // isTrain selects libtorch's grad mode for the call: the thread's own, so that the ops
            // are recorded exactly when any other op here would be
            return IValueUtils.forward(module, args, Autograd.isRecording());
        } finally {
            views.close();
        }
    }

    /** The class text as torch.jit.save writes it; {@code training} is the one attribute every module pickles. */
    static String source(String className, String forward) {
        return "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + forward;
    }

    /**
     * The TorchScript archive libtorch's loader reads: {@code data.pkl} (a pickled instance of
     * {@code __torch__.<className>} with {@code training = True}), the class source, an empty
     * constants tuple and the format version, stored uncompressed under one folder as
     * {@code torch.jit.save} writes them.
     */
    static byte[] archive(String className, String source) {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.writeBytes(new byte[] {(byte) 0x80, 2}); // PROTO 2
        pickle.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        pickle.writeBytes(new byte[] {')', (byte) 0x81, '}', '('}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
        pickle.writeBytes(new byte[] {'X', 8, 0, 0, 0}); // BINUNICODE, 8 bytes
        pickle.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        pickle.writeBytes(new byte[] {(byte) 0x88, 'u', 'b', '.'}); // NEWTRUE SETITEMS BUILD STOP
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        String dir = className.toLowerCase(java.util.Locale.ROOT);
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            stored(out, dir + "/data.pkl", pickle.toByteArray());
            stored(out, dir + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(out, dir + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
            stored(out, dir + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return zip.toByteArray();
    }

    private static void stored(ZipOutputStream out, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        out.putNextEntry(e);
        out.write(data);
        out.closeEntry();
    }
}
