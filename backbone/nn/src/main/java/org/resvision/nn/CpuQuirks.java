package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machines on which libtorch's CPU kernels must be steered around a known fault.
 *
 * <p>oneDNN 3.7 (inside libtorch 2.7.1) reads an AMD CPU's cache sizes from cpuid leaf
 * 0x8000001D. Some virtual machines report no caches there; oneDNN then takes the L1 cache as 1
 * byte, and its brgemm 1x1-convolution blocking divides an integer by zero for the five
 * (in, out) channel pairs it special-cases, (256, 1024), (512, 1024), (1024, 512), (512, 2048)
 * and (1024, 2048): every ResNet-50/101/152 has them. On channels-last input the process dies
 * with SIGFPE (NCHW input takes another kernel and is fine). Linux reads the same leaf for its
 * own cache list, so such a CPU shows as vendor {@code AuthenticAMD} with nothing under
 * {@code /sys/devices/system/cpu/cpu0/cache}.
 *
 * <p>Narrower channels-last 1x1 convolutions run there but are not all right: those with 512
 * output channels from 64, 128 or 256 on maps of 28x28 and more (ResNet-50's layer2 expansion,
 * 128 -> 512) give values off by half their size, silently, while the other pairs of ResNet-50's
 * first two stages and 3x3 convolutions (the v2 box head's among them) match NCHW to 1e-6
 * (measured on such a VM, libtorch 2.7.1).
 * So {@code ResNet} (module backbone) runs no stage channels-last on these machines.
 *
 * <p>The same fault hits the backward pass of strided 1x1 convolutions in NCHW too (oneDNN's
 * {@code brgemm_convolution_bwd_strided_t}, {@code brg_blocking_t::est_eff_1x1}): ResNet-50's
 * layer3 and layer4 downsampling (512 -> 1024 and 1024 -> 2048, stride 2) kills the process
 * in the first training step of any ResNet-50/101/152 whose layer2 is trained, such as Faster
 * R-CNN's default (measured on such a VM: a SIGFPE in libtorch, the JVM's crash report). On these
 * machines {@link Conv2dLayer} computes a strided 1x1 convolution that records for backward as
 * subsampling followed by a stride-1 1x1 convolution, whose backward takes another kernel: the
 * same values and gradients.
 *
 * <p>All of it comes from the 1-byte caches, and {@link OneDnnCaches} mends them: before the first
 * convolution of a process ({@link #prepare}, which {@link Conv2dLayer} calls) oneDNN is given its
 * own defaults for unknown caches. Where that works (measured on such a VM: every shape above right
 * and none crashing, channels-last or not, forward and backward; FCN's 2048 -> 512 3x3 convolution
 * at 65x65 312 -> 211 ms, the model benchmarks 3-20% faster)
 * the machine is treated as any other, and the two questions below answer {@code false}. {@code
 * -Dresvision.onednnCacheMend=false} leaves oneDNN as it is (the steering above then applies).
 */
public final class CpuQuirks {

    private static final Logger LOG = LoggerFactory.getLogger(CpuQuirks.class);

    private static final boolean FAULT = detect(Path.of("/proc/cpuinfo"), Path.of("/sys/devices/system/cpu/cpu0/cache"));

    private CpuQuirks() {}

    /** Whether oneDNN's cache sizes were mended; decided once, at the first question (which runs a small convolution first). */
    private static final class Mend {
        static final boolean DONE = FAULT && Boolean.parseBoolean(System.getProperty("resvision.onednnCacheMend", "true")) && mend();

        private static boolean mend() {
            smallConvolution(); // loads libtorch; oneDNN makes its CPU object at the first convolution
            OneDnnCaches.Outcome outcome = OneDnnCaches.mend();
            if (outcome.mended()) {
                LOG.debug("{}", outcome.detail());
            } else {
                LOG.info("this CPU reports no cache sizes and oneDNN's could not be mended ({}); ResNets run NCHW", outcome.detail());
            }
            return outcome.mended();
        }

        /** Nothing: calling it makes the class decide {@link #DONE}. */
        static void ensure() {}

        private static void smallConvolution() {
            try (NDManager m = NDManager.newBaseManager(); Autograd.Scope noGrad = Autograd.noGrad()) {
                NDArray x = m.zeros(new Shape(1, 1, 5, 5));
                NDArray w = m.zeros(new Shape(1, 1, 3, 3));
                Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).close();
            }
        }
    }

    /**
     * Makes libtorch's convolutions safe and fast on this machine: on a CPU with the fault, mends
     * oneDNN's cache sizes the first time it is called (a small convolution, ~1 ms, and a read of
     * libtorch's symbol table, 25-80 ms); a field read afterwards. Call it before any convolution.
     */
    public static void prepare() {
        if (FAULT) {
            Mend.ensure();
        }
    }

    /**
     * Whether this CPU has the fault, mended or not.
     *
     * @return {@code true} for an AMD CPU that lists no caches (decided once, at class loading)
     */
    public static boolean cachesUnreported() {
        return FAULT;
    }

    /**
     * Whether channels-last 1x1 convolutions of ResNet-50's widths would crash libtorch on this machine.
     *
     * @return {@code true} for an AMD CPU with no cache listed under {@code
     *     /sys/devices/system/cpu/cpu0/cache} where oneDNN's cache sizes could not be mended (see
     *     {@link #prepare}, which this calls); {@code false} wherever {@code /proc/cpuinfo} cannot be
     *     read (e.g. not Linux)
     */
    public static boolean channelsLastConvolutionCrashes() {
        return FAULT && !Mend.DONE;
    }

    /**
     * Whether the backward pass of strided 1x1 convolutions of ResNet-50's widths would crash
     * libtorch on this machine (the same machines as {@link #channelsLastConvolutionCrashes()}).
     *
     * @return {@code true} where {@link Conv2dLayer} must subsample before a stride-1 1x1
     *     convolution when autograd records; {@code -Dresvision.strided1x1Workaround=false} turns the
     *     workaround off ({@code =true} on), e.g. to check that it is still needed
     */
    public static boolean strided1x1BackwardCrashes() {
        String forced = System.getProperty("resvision.strided1x1Workaround");
        return forced != null ? Boolean.parseBoolean(forced) : channelsLastConvolutionCrashes();
    }

    /** An AMD CPU (from {@code cpuinfo}) for which the kernel lists no cache under {@code cacheDir}. */
    static boolean detect(Path cpuinfo, Path cacheDir) {
        try {
            boolean amd;
            try (Stream<String> lines = Files.lines(cpuinfo)) {
                amd = lines.filter(l -> l.startsWith("vendor_id")).findFirst().map(l -> l.contains("AuthenticAMD")).orElse(false);
            }
            if (!amd) {
                return false;
            }
            if (!Files.isDirectory(cacheDir)) {
                return true;
            }
            try (Stream<Path> entries = Files.list(cacheDir)) {
                return entries.noneMatch(p -> p.getFileName().toString().startsWith("index") && Files.exists(p.resolve("size")));
            }
        } catch (IOException | RuntimeException e) {
            return false; // not Linux, or nothing to read: no known fault
        }
    }
}
