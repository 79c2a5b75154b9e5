package org.resvision.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM options ./resvision spark starts local mode with cover the ones spark-submit adds for this Spark version. */
class LauncherOptionsTest {

    @Test
    void launcherHasSparksModuleOptions() throws Exception {
        Path file = Path.of(System.getProperty("resvision.root"), "tools", "spark", "conf", "java-options");
        List<String> ours = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        String[] sparks = org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptionArray();
        assertTrue(sparks.length > 5);
        for (String o : sparks) {
            assertTrue(ours.contains(o), file + " lacks " + o + " (spark-submit adds it: org.apache.spark.launcher.JavaModuleOptions)");
        }
    }
}
