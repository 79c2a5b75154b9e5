package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which machines have the fault (libtorch 2.7.1's oneDNN sees 1-byte caches there); the mend is {@link OneDnnCachesTest}'s. */
class CpuQuirksTest {

    @TempDir Path dir;

    Path cpuinfo(String vendor) throws Exception {
        return Files.writeString(dir.resolve("cpuinfo-" + vendor), "processor\t: 0\nvendor_id\t: " + vendor + "\nmodel name\t: x\n");
    }

    @Test
    void anAmdCpuWithoutCacheInformationIsRecognised() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        assertTrue(CpuQuirks.detect(cpuinfo("AuthenticAMD"), cache), "AMD, empty cache folder");
        assertTrue(CpuQuirks.detect(cpuinfo("AuthenticAMD"), dir.resolve("missing")), "AMD, no cache folder");
        Files.createDirectories(cache.resolve("index0"));
        Files.writeString(cache.resolve("index0/size"), "48K\n");
        assertFalse(CpuQuirks.detect(cpuinfo("AuthenticAMD"), cache), "AMD with its caches listed");
        assertFalse(CpuQuirks.detect(cpuinfo("GenuineIntel"), dir.resolve("missing")), "Intel reads its caches elsewhere");
        assertFalse(CpuQuirks.detect(dir.resolve("no-cpuinfo"), cache), "nothing to read: no known fault");
    }
}
