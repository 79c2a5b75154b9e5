package org.resvision.backbone.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Arrays;
import java.util.Locale;
import org.resvision.backbone.nn.Autograd;
import org.resvision.backbone.nn.MemoryFormat;

/**
 * One convolution, timed alone in libtorch through DJL, NCHW and channels-last: {@code
 * tools/bench/conv_kernel_bench.sh} runs it next to the same convolution in Debian's torch, to
 * tell a slow kernel of this machine's libtorch from slow code of ours. Usage: {@code
 * ConvKernelBench N C_IN H W C_OUT K ITERS}; prints {@code resvision nchw MS nhwc MS} (medians).
 */
public final class ConvKernelBench {

    private ConvKernelBench() {}

    public static void main(String[] a) {
        long n = Long.parseLong(a[0]);
        long cin = Long.parseLong(a[1]);
        long h = Long.parseLong(a[2]);
        long w = Long.parseLong(a[3]);
        long cout = Long.parseLong(a[4]);
        int k = Integer.parseInt(a[5]);
        int iters = Integer.parseInt(a[6]);
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
