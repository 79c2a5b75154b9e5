package org.resvision.backbone.weights;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;

/**
 * Unmaps a memory-mapped buffer now rather than at some later garbage collection
 * ({@code sun.misc.Unsafe.invokeCleaner}, in the jdk.unsupported module). Where that is not
 * available the mapping goes with the buffer's collection, as usual. The caller must hold no
 * other view of the buffer: touching one after this is a crash, not an exception.
 */
final class Unmapper {

    private static final MethodHandle INVOKE_CLEANER = find();

    private Unmapper() {}

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", java.lang.invoke.MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Unmaps {@code buffer} if it is a mapping (not a slice or a heap buffer); never throws. */
    static void unmap(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || buffer == null || !(buffer instanceof java.nio.MappedByteBuffer)) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (Throwable e) {
            // a slice or duplicate (refused by invokeCleaner): left to the garbage collector
        }
    }
}
