import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites a jar's Java 5 class files (version 49) as Java 8 ones (version 52) with the stack-map frames
 * that version requires, computed by ASM; the code is unchanged. Run at package time on the command
 * line's copy of picocli (tools/pom.xml), because JDK 17's class-data sharing refuses class files older
 * than version 50 ("Pre JDK 6 class not supported by CDS"), so without this every command parsed its
 * arguments with ~165 classes loaded from the jar and interpreted cold (~0.1 s of each coco-eval run).
 * Version 52 rather than 50: a version-50 class whose frames the new verifier rejects fails over to the
 * old verifier, and CDS skips such classes; from 52 on there is no fail-over, so a class either verifies
 * with its frames or does not load.
 *
 * <p>{@code java -cp asm.jar ClassFileUpgrade.java JAR}: the jar is replaced atomically (a temporary file
 * beside it, then a rename); entries other than old class files are copied byte for byte in their
 * order, with their times. A jar without class files older than version 50 is left as it is (so a
 * rebuild finds it done). Fails, changing nothing, on a class ASM cannot give frames (JSR/RET
 * subroutines; picocli 4.7 has none).
 */
public final class ClassFileUpgrade {

    private static final int TARGET = Opcodes.V1_8;

    private ClassFileUpgrade() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp asm.jar ClassFileUpgrade.java JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path tmp = jar.resolveSibling("." + jar.getFileName() + ".upgrade.tmp");
        int upgraded;
        try {
            upgraded = upgrade(jar, tmp);
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(tmp);
            System.err.println("ClassFileUpgrade: " + jar + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        if (upgraded == 0) {
            Files.deleteIfExists(tmp);
            System.out.println("ClassFileUpgrade: " + jar + ": no class file older than version 50");
            return;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("ClassFileUpgrade: " + jar + ": " + upgraded + " class files rewritten as version " + TARGET);
    }

    /** Writes {@code jar}'s upgraded copy to {@code out} and returns how many class files were rewritten. */
    static int upgrade(Path jar, Path out) throws IOException {
        int upgraded = 0;
        // the jar's own classes resolve the common super classes of the frames' merged types
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassFileUpgrade.class.getClassLoader());
                ZipFile in = new ZipFile(jar.toFile());
                OutputStream fout = Files.newOutputStream(out);
                ZipOutputStream zout = new ZipOutputStream(fout)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] bytes;
                try (InputStream s = in.getInputStream(e)) {
                    bytes = s.readAllBytes();
                }
                if (isOld(e.getName(), bytes)) {
                    bytes = rewrite(bytes, loader);
                    upgraded++;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        return upgraded;
    }

    /** A class file (not a module descriptor, not a versioned entry) whose major version is below 50. */
    private static boolean isOld(String name, byte[] b) {
        if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
            return false;
        }
        if (b.length < 8 || (b[0] & 0xff) != 0xca || (b[1] & 0xff) != 0xfe || (b[2] & 0xff) != 0xba || (b[3] & 0xff) != 0xbe) {
            throw new IllegalArgumentException(name + ": not a class file");
        }
        int major = ((b[6] & 0xff) << 8) | (b[7] & 0xff);
        return major < 50;
    }

    private static byte[] rewrite(byte[] bytes, ClassLoader loader) {
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return loader;
            }
        };
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(TARGET, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return w.toByteArray();
    }
}
