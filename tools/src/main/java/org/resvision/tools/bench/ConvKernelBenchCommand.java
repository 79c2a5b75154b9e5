package org.resvision.tools.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Arrays;
import java.util.Locale;
import org.resvision.nn.Autograd;
import org.resvision.nn.CpuQuirks;
import org.resvision.nn.MemoryFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * One convolution, timed alone in libtorch through DJL, NCHW and channels-last: {@code
 * tools/bench/conv_kernel_bench.sh} runs it next to the same convolution in Debian's torch, to
 * tell a slow kernel of this machine's libtorch from slow code of ours. Prints {@code resvision
 * nchw MS nhwc MS} (medians).
 */
@Command(name = "conv-kernel", header = "one convolution in libtorch, NCHW and channels-last, timed",
        description = "One K x K convolution (stride 1, padding K/2, no bias) of a random [N, C_IN, H, W] input to C_OUT channels,"
                + " without autograd, NCHW and channels-last alternating; the first call of each is warm-up. Prints"
                + " 'resvision nchw MS nhwc MS' (medians).")
final class ConvKernelBenchCommand extends BenchProgram {

    @Parameters(index = "0", paramLabel = "N", description = "batch")
    long n;

    @Parameters(index = "1", paramLabel = "C_IN", description = "input channels")
    long cin;

    @Parameters(index = "2", paramLabel = "H", description = "height")
    long h;

    @Parameters(index = "3", paramLabel = "W", description = "width")
    long w;

    @Parameters(index = "4", paramLabel = "C_OUT", description = "output channels")
    long cout;

    @Parameters(index = "5", paramLabel = "K", description = "kernel side")
    int k;

    @Parameters(index = "6", paramLabel = "ITERS", description = "timed calls of each layout")
    int iters;

    @Override
    protected int call() {
        CpuQuirks.prepare(); // as every convolution of ResVision's layers
        try (NDManager m = NDManager.newBaseManager(); Autograd.Scope noGrad = Autograd.noGrad()) {
            NDArray x = m.randomNormal(new Shape(n, cin, h, w));
            NDArray weight = m.randomNormal(new Shape(cout, cin, k, k));
            NDArray xl = MemoryFormat.channelsLast(x);
            double[] nchw = new double[iters];
            double[] nhwc = new double[iters];
            for (int i = 0; i < iters + 1; i++) { // the first is warm-up
                double a1 = time(x, weight, k);
                double a2 = time(xl, weight, k);
                if (i > 0) {
                    nchw[i - 1] = a1;
                    nhwc[i - 1] = a2;
                }
            }
            System.out.printf(Locale.ROOT, "resvision nchw %.0f nhwc %.0f%n", median(nchw), median(nhwc));
        }
        return 0;
    }

    private static double time(NDArray x, NDArray weight, int k) {
        long t = System.nanoTime();
        try (NDList y = Conv2d.conv2d(x, weight, null, new Shape(1, 1), new Shape(k / 2, k / 2), new Shape(1, 1), 1)) {
            y.singletonOrThrow().get(0, 0, 0, 0).getFloat(); // waits for the result, copies one value
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
