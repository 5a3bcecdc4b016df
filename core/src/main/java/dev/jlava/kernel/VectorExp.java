package dev.jlava.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp in float32 from adds, multiplies and bit operations only, so the vector lanes and the scalar
 * version give bit-identical results whether the code is interpreted or JIT-compiled (the Vector
 * API's own EXP/TANH switch from a per-lane Math fallback to SVML when C2 compiles, which changes
 * the last bits between two identical calls). Relative error about 2 ulp.
 *
 * <p>exp(x) = 2^k exp(r), k = round(x log2 e), r = x - k ln 2 (ln 2 split in two for an exact
 * product), exp(r) by its degree-7 Taylor polynomial (|r| <= ln2/2, truncation 5e-9 relative).
 * Inputs are clamped to [-87, 88], where 2^k stays a normal float: exp(-87) = 1.6e-38 stands for 0.
 */
public final class VectorExp {
    private VectorExp() {}

    private static final float LO = -87f, HI = 88f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;          // 8 significant bits: k * LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;       // ln 2 - LN2_HI
    private static final float ROUNDER = 12582912f;            // 1.5 * 2^23: adding it rounds to an integer
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    public static FloatVector exp(FloatVector x) {
        x = x.max(LO).min(HI);
        FloatVector t = x.mul(LOG2E).add(ROUNDER);
        FloatVector k = t.sub(ROUNDER);
        IntVector ki = t.reinterpretAsInts().sub(ROUNDER_BITS);
        FloatVector r = x.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        FloatVector p = r.mul(C7).add(C6).mul(r).add(C5).mul(r).add(C4).mul(r).add(C3).mul(r).add(C2).mul(r).add(1f).mul(r).add(1f);
        FloatVector scale = ki.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    public static float exp(float x) {
        x = Math.min(Math.max(x, LO), HI);
        float t = x * LOG2E + ROUNDER;
        float k = t - ROUNDER;
        int ki = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        float r = x - k * LN2_HI - k * LN2_LO;
        float p = ((((((r * C7 + C6) * r + C5) * r + C4) * r + C3) * r + C2) * r + 1f) * r + 1f;
        return p * Float.intBitsToFloat((ki + 127) << 23);
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * In place: a[i] = exp(scale (a[i] - max)) / sum over a[off..off+n), float32 like PyTorch's
     * softmax, with this exp; deterministic (the lanes' sums are added in a fixed order). The vision
     * tower's row softmax.
     */
    public static void softmax(float[] a, int off, int n, float scale) {
        int vend = off + S.loopBound(n), end = off + n, i;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (i = off; i < vend; i += S.length()) vmax = vmax.max(FloatVector.fromArray(S, a, i));
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) max = Math.max(max, a[i]);
        FloatVector vsum = FloatVector.zero(S);
        for (i = off; i < vend; i += S.length()) {
            FloatVector e = exp(FloatVector.fromArray(S, a, i).sub(max).mul(scale));
            e.intoArray(a, i);
            vsum = vsum.add(e);
        }
        double sum = 0; // lanes in a fixed order: reduceLanes(ADD) may associate differently once compiled
        for (int l = 0; l < S.length(); l++) sum += vsum.lane(l);
        for (; i < end; i++) {
            float e = exp((a[i] - max) * scale);
            a[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (i = off; i < end; i++) a[i] *= inv;
    }
}
