package org.resvision.nn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test aid: frees unreachable direct buffers and fills freshly allocated ones with junk, as a busy
 * JVM would between a forward and a backward pass. An autograd operand that still lives in a Java
 * buffer (DJL's {@code mul(Number)} scalar, an index from {@code NDManager.create}) reads junk
 * afterwards; one that libtorch owns ({@link GradSafe}) does not.
 */
public final class GcChurn {

    private GcChurn() {}

    public static void run() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            List<ByteBuffer> junk = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
        }
    }
}
