package org.resvision.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/** Raw little-endian tensor bytes to NDArrays: dtype names, widening of half floats, strides. */
final class TensorData {

    private TensorData() {}

    /** Bytes per element of a safetensors/torch dtype name. */
    static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    /** The DJL type a dtype is loaded as: F16 and BF16 widen to F32. */
    static DataType loadedType(String dtype) {
        return switch (dtype) {
            case "F32", "F16", "BF16" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I16" -> DataType.INT16;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    /** The safetensors name of a DJL type. */
    static String dtypeName(DataType type) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT16 -> "I16";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("cannot store " + type.toString().toLowerCase(Locale.ROOT));
        };
    }

    /**
     * The element count of a tensor of {@code shape} from {@code file}, refusing shapes whose
     * bytes would not fit one buffer (2 GB), negative sizes, and products that overflow (a
     * hostile header declaring 10^12 elements must be refused here, not by libtorch).
     */
    static long elements(java.nio.file.Path file, String name, long[] shape, int elementSize) throws WeightsFormatException {
        long count = 1;
        try {
            for (long s : shape) {
                if (s < 0) {
                    throw new WeightsFormatException(file, "tensor '" + name + "' has a negative dimension");
                }
                count = Math.multiplyExact(count, s);
            }
            if (Math.multiplyExact(count, (long) elementSize) <= Integer.MAX_VALUE) {
                return count;
            }
        } catch (ArithmeticException e) {
            // falls through to the same message
        }
        throw new WeightsFormatException(file, "tensor '" + name + "' declares shape " + java.util.Arrays.toString(shape)
                + ", more than 2 GB of data (a corrupt or hostile header)");
    }

    /**
     * An NDArray of {@code shape} from {@code storage} (positioned at element 0 of the storage),
     * reading element {@code offset + sum(i_k * stride_k)} for each index; contiguous tensors are
     * a single bulk copy.
     */
    static NDArray create(NDManager manager, ByteBuffer storage, String dtype, long offset, long[] size, long[] stride) {
        int es = elementSize(dtype);
        long count = 1;
        for (long s : size) {
            count *= s;
        }
        ByteBuffer src = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer packed;
        if (isContiguous(size, stride)) {
            src.position(Math.toIntExact(offset * es));
            src.limit(Math.toIntExact((offset + count) * es));
            packed = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        } else {
            packed = ByteBuffer.allocateDirect(Math.toIntExact(count * es)).order(ByteOrder.LITTLE_ENDIAN);
            long[] index = new long[size.length];
            for (long n = 0; n < count; n++) {
                long pos = offset;
                for (int d = 0; d < size.length; d++) {
                    pos += index[d] * stride[d];
                }
                for (int b = 0; b < es; b++) {
                    packed.put(src.get(Math.toIntExact(pos * es + b)));
                }
                for (int d = size.length - 1; d >= 0; d--) {
                    if (++index[d] < size[d]) {
                        break;
                    }
                    index[d] = 0;
                }
            }
            packed.flip();
        }
        Shape shape = new Shape(size);
        boolean half = dtype.equals("F16") || dtype.equals("BF16");
        ByteBuffer bytes = half ? widen(packed, dtype, count) : packed;
        DataType type = half ? DataType.FLOAT32 : loadedType(dtype);
        if (manager.getDevice().equals(Device.cpu()) && count > 0) {
            // straight into libtorch memory: an array made from a Java direct buffer keeps that
            // buffer (freed only by a later GC) for its whole life
            NDArray array = manager.create(shape, type);
            array.toByteBuffer(true).put(bytes.duplicate());
            return array;
        }
        return manager.create(copyDirect(bytes), shape, type);
    }

    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    /** A direct copy, so the NDArray never aliases a buffer the caller may reuse. */
    private static ByteBuffer copyDirect(ByteBuffer src) {
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
        out.put(src.duplicate());
        out.flip();
        return out;
    }

    private static ByteBuffer widen(ByteBuffer half, String dtype, long count) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        for (long i = 0; i < count; i++) {
            short h = half.getShort(Math.toIntExact(i * 2));
            out.putFloat(dtype.equals("BF16") ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h));
        }
        out.flip();
        return out;
    }

    /** IEEE 754 binary16 to binary32 (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f / 16384f; // 2^-14 * mant/2^10
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
