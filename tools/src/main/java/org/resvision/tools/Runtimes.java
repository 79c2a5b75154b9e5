package org.resvision.tools;

/** Process-wide settings every command needs before DJL is touched. */
final class Runtimes {

    private Runtimes() {}

    /** DJL never downloads; PyTorch is the engine; intra-op threads follow the machine. */
    static void configure() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("java.awt.headless", "true");
        System.setProperty("ai.djl.default_engine", "PyTorch");
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            String threads = String.valueOf(Runtime.getRuntime().availableProcessors());
            System.setProperty("ai.djl.pytorch.num_threads", threads);
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // On machines with a CUDA runtime but no GPU, DJL warns at every start; not news to users.
        String cuda = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
        if (System.getProperty(cuda) == null) {
            System.setProperty(cuda, "error");
        }
    }

    /** Whether {@code t} or one of its causes is the JVM running out of heap (also when a worker thread did). */
    static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /**
     * The message of an exception and its causes, on one line, in the user's words: a cause
     * without a message is described ("an I/O error"), never named by its Java class, and a
     * message that starts with a class name ({@code "java.io.IOException: disk full"}, as a
     * wrapped exception's default message reads) loses that prefix.
     */
    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null || c.getMessage().isBlank() ? describe(c) : stripClassNames(c.getMessage());
            if (!m.isEmpty() && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.length() == 0 ? "unexpected internal error (run with -Dresvision.debug=true for details)" : sb.toString().replace('\n', ' ');
    }

    /**
     * "java.io.IOException: x" -> "x", anywhere in the text (wrapping exceptions repeat their
     * cause's class). Compiled at the first error, not at start-up (a regex's first use costs
     * milliseconds of class spinning, which every command would pay).
     */
    private static final class ClassPrefix {
        static final java.util.regex.Pattern PATTERN =
                java.util.regex.Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)(?::\\s*|\\b)");
    }

    static String stripClassNames(String message) {
        return ClassPrefix.PATTERN.matcher(message).replaceAll("").trim();
    }

    /** What went wrong, for an exception that carries no message. */
    private static String describe(Throwable t) {
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (t instanceof java.io.IOException) {
            return "an input/output error";
        }
        if (t instanceof ArithmeticException) {
            return "a number out of range";
        }
        if (t instanceof NullPointerException || t instanceof IllegalStateException || t instanceof IndexOutOfBoundsException) {
            return "unexpected internal error (run with -Dresvision.debug=true for details)";
        }
        return "";
    }

    /**
     * The line for a command that ran out of Java heap: the file it was reading when the command
     * line names one (the last existing file argument), the heap it had, and how to give more.
     */
    static String outOfMemory(String[] args) {
        String file = null;
        long largest = -1;
        for (String a : args) {
            String p = a.startsWith("coco:") || a.startsWith("voc:") ? a.substring(a.indexOf(':') + 1) : a;
            try {
                java.nio.file.Path path = java.nio.file.Path.of(p);
                if (!a.startsWith("--") && java.nio.file.Files.isRegularFile(path) && java.nio.file.Files.size(path) > largest) {
                    largest = java.nio.file.Files.size(path);
                    file = p;
                }
            } catch (java.nio.file.InvalidPathException | java.io.IOException e) {
                // not a readable path: not the file to name
            }
        }
        long mb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        return (file == null ? "" : file + ": ") + "out of memory (the Java heap is " + mb
                + " MB); give it more with RESVISION_JAVA_OPTS=-Xmx<size>, e.g. RESVISION_JAVA_OPTS=-Xmx" + Math.max(2, 2 * mb / 1024 + 1)
                + "g";
    }
}
