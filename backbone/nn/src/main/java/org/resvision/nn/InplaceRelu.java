package org.resvision.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
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
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code torch.relu_}: the ReLU that overwrites its input, as torchvision's ResNet uses it
 * ({@code nn.ReLU(inplace=True)}). DJL offers only the out-of-place op, which allocates and writes
 * a fresh activation per ReLU (51 per FCN-ResNet50 training step, up to 52 MB each). libtorch has
 * the in-place op and DJL runs TorchScript, so this class writes a TorchScript module whose
 * {@code forward} is {@code torch.relu_(x)} (a four-entry zip built below from source text, no
 * file shipped), loads it once and calls it. Autograd records it as libtorch records any op.
 *
 * <p>Contract: the input's values are replaced and the result is a second handle to the same
 * storage, so a caller must not read the input afterwards. Under autograd this is legal only when
 * no op saved the input for its backward; the outputs of BatchNorm (training and frozen),
 * convolution and residual additions qualify. If an input did not, libtorch fails at backward
 * ("modified by an inplace operation"): a loud error, never a wrong gradient.
 *
 * <p>Falls back to {@link Activation#relu} (same values, a new array) when the engine is not
 * PyTorch, when the module cannot be loaded (logged once), for a named array (DJL reads names as
 * TorchScript argument structure), and when {@code -Dresvision.inplaceRelu=false}.
 */
public final class InplaceRelu {

    private static final Logger LOG = LoggerFactory.getLogger(InplaceRelu.class);

    /** The TorchScript class; {@code training} is the one attribute every module pickles. */
    static final String SOURCE = """
            class InplaceRelu(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.InplaceRelu, x: Tensor) -> Tensor:
                return torch.relu_(x)
            """;

    private InplaceRelu() {}

    /**
     * ReLU of {@code x}, written into {@code x}'s storage when possible (see the class comment).
     *
     * @param x any array; in place only for an unnamed PyTorch array, and then it must not be read
     *     again (its values are replaced); it is not closed either way
     * @return a new NDArray handle owned by {@code x}'s manager: on {@code x}'s storage when in
     *     place, else a new array; close it and {@code x} separately
     */
    public static NDArray apply(NDArray x) {
        PtSymbolBlock module = x instanceof PtNDArray && x.getName() == null ? Holder.MODULE : null;
        if (module == null) {
            return Activation.relu(x);
        }
        // isTrain selects libtorch's grad mode for the call: pass the thread's own, so that the
        // op is recorded exactly when any other op here would be
        return IValueUtils.forward(module, new NDList(x), Autograd.isRecording()).singletonOrThrow();
    }

    /**
     * Whether {@link #apply} runs in place in this JVM (false: it falls back to the copying op).
     *
     * @return {@code true} when the TorchScript module loaded; the first use of this class's
     *     module (this call, or {@link #apply} on a PyTorch array) loads it, and the answer then
     *     stays the same for the life of the JVM
     */
    public static boolean available() {
        return Holder.MODULE != null;
    }

    /** The module, loaded on first use; null when disabled or unavailable. */
    private static final class Holder {
        static final PtSymbolBlock MODULE = load();

        private static PtSymbolBlock load() {
            if (!Boolean.parseBoolean(System.getProperty("resvision.inplaceRelu", "true"))) {
                return null;
            }
            // the manager owns the module for the life of the JVM, like DJL's engine state: the
            // module holds no tensors, and ops on any device use the inputs' device
            NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
            try (InputStream in = new ByteArrayInputStream(archive())) {
                return JniUtils.loadModule((PtNDManager) manager, in, true, false);
            } catch (IOException | RuntimeException e) {
                manager.close();
                LOG.warn("in-place ReLU unavailable, using the copying ReLU: {}", e.toString());
                return null;
            }
        }
    }

    /**
     * The TorchScript archive libtorch's loader reads: {@code data.pkl} (a pickled instance of
     * {@code __torch__.InplaceRelu} with {@code training = True}), the class source, an empty
     * constants tuple and the format version, stored uncompressed under one folder as
     * {@code torch.jit.save} writes them.
     */
    static byte[] archive() {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.writeBytes(new byte[] {(byte) 0x80, 2}); // PROTO 2
        pickle.writeBytes("c__torch__\nInplaceRelu\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        pickle.writeBytes(new byte[] {')', (byte) 0x81, '}', '('}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
        pickle.writeBytes(new byte[] {'X', 8, 0, 0, 0}); // BINUNICODE, 8 bytes
        pickle.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        pickle.writeBytes(new byte[] {(byte) 0x88, 'u', 'b', '.'}); // NEWTRUE SETITEMS BUILD STOP
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            stored(out, "relu/data.pkl", pickle.toByteArray());
            stored(out, "relu/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            stored(out, "relu/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
            stored(out, "relu/version", "3\n".getBytes(StandardCharsets.US_ASCII));
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
