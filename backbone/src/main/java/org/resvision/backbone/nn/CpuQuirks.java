package org.resvision.backbone.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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
 */
public final class CpuQuirks {

    private static final boolean CHANNELS_LAST_CONV_CRASHES = detect(Path.of("/proc/cpuinfo"), Path.of("/sys/devices/system/cpu/cpu0/cache"));

    private CpuQuirks() {}

    /**
     * Whether channels-last 1x1 convolutions of ResNet-50's widths would crash libtorch on this machine.
     *
     * @return {@code true} for an AMD CPU with no cache listed under {@code
     *     /sys/devices/system/cpu/cpu0/cache}; detected once, when this class is loaded, and
     *     {@code false} wherever {@code /proc/cpuinfo} cannot be read (e.g. not Linux)
     */
    public static boolean channelsLastConvolutionCrashes() {
        return CHANNELS_LAST_CONV_CRASHES;
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
