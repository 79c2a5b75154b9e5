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

    /** The message of an exception and its causes, on one line. */
    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
        }
        return sb.toString().replace('\n', ' ');
    }
}
