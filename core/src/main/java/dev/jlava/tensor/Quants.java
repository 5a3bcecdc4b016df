package dev.jlava.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Scalar dequantization of llama.cpp block formats (reference semantics; kernels have fast paths). */
public final class Quants {
    private Quants() {}

    public static float dequantize(DType t, MemorySegment data, long i) {
        float[] one = new float[1];
        dequantizeRange(t, data, i, one, 0, 1);
        return one[0];
    }

    /** Dequantizes elements [start, start+n) into out[off..]. */
    public static void dequantizeRange(DType t, MemorySegment data, long start, float[] out, int off, int n) {
        int bs = t.blockSize();
        long i = start;
        long end = start + n;
        float[] block = new float[bs];
        while (i < end) {
            long b = i / bs;
            int inBlock = (int) (i - b * bs);
            int take = (int) Math.min(bs - inBlock, end - i);
            if (inBlock == 0 && take == bs) {
                dequantizeBlock(t, data, b * t.blockBytes(), out, off + (int) (i - start));
            } else {
                dequantizeBlock(t, data, b * t.blockBytes(), block, 0);
                System.arraycopy(block, inBlock, out, off + (int) (i - start), take);
            }
            i += take;
        }
    }

    public static void dequantizeBlock(DType t, MemorySegment data, long at, float[] out, int off) {
        switch (t) {
            case Q8_0 -> {
                float d = Half.f16ToF32(data.get(Tensor.I16_LE, at));
                for (int j = 0; j < 32; j++) out[off + j] = d * data.get(ValueLayout.JAVA_BYTE, at + 2 + j);
            }
            case Q4_0 -> {
                float d = Half.f16ToF32(data.get(Tensor.I16_LE, at));
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, at + 2 + j) & 0xff;
                    out[off + j] = d * ((q & 0x0f) - 8);
                    out[off + j + 16] = d * ((q >>> 4) - 8);
                }
            }
            case Q4_K -> dequantizeQ4K(data, at, out, off);
            case Q6_K -> dequantizeQ6K(data, at, out, off);
            default -> throw new IllegalArgumentException("not a block type: " + t);
        }
    }

    private static int u8(MemorySegment d, long at) { return d.get(ValueLayout.JAVA_BYTE, at) & 0xff; }

    // Q4_K: half d, half dmin, 12 bytes packing 8 six-bit scales and 8 six-bit mins, 128 bytes of nibbles.
    private static void dequantizeQ4K(MemorySegment data, long at, float[] out, int off) {
        float d = Half.f16ToF32(data.get(Tensor.I16_LE, at));
        float dmin = Half.f16ToF32(data.get(Tensor.I16_LE, at + 2));
        long scales = at + 4;
        long qs = at + 16;
        int o = off;
        for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
            int[] sm1 = scaleMinK4(is, data, scales);
            int[] sm2 = scaleMinK4(is + 1, data, scales);
            float d1 = d * sm1[0], m1 = dmin * sm1[1];
            float d2 = d * sm2[0], m2 = dmin * sm2[1];
            for (int l = 0; l < 32; l++) out[o + l] = d1 * (u8(data, qs + l) & 0xf) - m1;
            for (int l = 0; l < 32; l++) out[o + 32 + l] = d2 * (u8(data, qs + l) >>> 4) - m2;
            qs += 32;
            o += 64;
        }
    }

    private static int[] scaleMinK4(int j, MemorySegment q, long at) {
        int sc, m;
        if (j < 4) {
            sc = u8(q, at + j) & 63;
            m = u8(q, at + j + 4) & 63;
        } else {
            sc = (u8(q, at + j + 4) & 0xF) | ((u8(q, at + j - 4) >>> 6) << 4);
            m = (u8(q, at + j + 4) >>> 4) | ((u8(q, at + j) >>> 6) << 4);
        }
        return new int[] {sc, m};
    }

    // Q6_K: ql[128] low nibbles, qh[64] high two bits, int8 scales[16], half d; value = d * scale * (q - 32).
    private static void dequantizeQ6K(MemorySegment data, long at, float[] out, int off) {
        long ql = at, qh = at + 128, sc = at + 192;
        float d = Half.f16ToF32(data.get(Tensor.I16_LE, at + 208));
        int o = off;
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = ((u8(data, ql + l) & 0xF) | (((u8(data, qh + l) >>> 0) & 3) << 4)) - 32;
                int q2 = ((u8(data, ql + l + 32) & 0xF) | (((u8(data, qh + l) >>> 2) & 3) << 4)) - 32;
                int q3 = ((u8(data, ql + l) >>> 4) | (((u8(data, qh + l) >>> 4) & 3) << 4)) - 32;
                int q4 = ((u8(data, ql + l + 32) >>> 4) | (((u8(data, qh + l) >>> 6) & 3) << 4)) - 32;
                out[o + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                out[o + l + 32] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                out[o + l + 64] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                out[o + l + 96] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
            o += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}
