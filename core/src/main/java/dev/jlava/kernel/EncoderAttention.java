package dev.jlava.kernel;

import static dev.jlava.kernel.GemmKernel.MR;
import static dev.jlava.kernel.GemmKernel.NR;
import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Unmasked attention of one head over the t tokens of one image (a vision encoder's
 * self-attention), NR queries at a time with the scores transposed:
 *
 * <ol>
 *   <li>S^T = K Q_b^T ([t][NR]): K's rows are read in place as the micro-kernel's A strips; the
 *       block's queries are the one B panel;</li>
 *   <li>softmax numerators down each column, exp(scale (s - max)): whole vectors of NR
 *       queries, no horizontal reductions;</li>
 *   <li>O^T = V^T E^T ([headDim][NR]): the numerators <em>are</em> a packed B panel (k-major,
 *       NR wide), so they are never packed, and headDim rows (72 for SigLIP) fill MR-row strips
 *       where the NR-wide column panels of P V wasted a quarter of the last one; each output
 *       row is divided by its sum when it is written back.</li>
 * </ol>
 *
 * The scores of a block (t x NR floats, 93 KB at 729 tokens and 512 bits) stay in L2; the
 * untiled T x T probabilities (2 MB per head) went through L3 three times for the softmax and once
 * more for P V. Each score is the same chain of fused multiply-adds, in the same order, as in
 * Q K^T; the sum runs in four float chains per column (added in double), and the division comes
 * after the product instead of before it, so outputs differ from the untiled path's in the last
 * bits.
 */
public final class EncoderAttention {
    private EncoderAttention() {}

    /** One thread's buffers, grown to the largest call seen. */
    private static final class Work {
        float[] queries = new float[0], scores = new float[0], valuesT = new float[0], keyTail = new float[0], context = new float[0];
        final float[] tile = new float[2 * MR * NR];
        final float[] columns = new float[NR], chains = new float[4 * NR];
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    /**
     * out_h = softmax(scale Q_h K_h^T) V_h for one head. Row j of Q, K, V and out starts at
     * {@code off + j * stride} (a head is a column slice of [t][heads * headDim] projections) and
     * holds headDim values.
     */
    public static void head(float[] q, float[] k, float[] v, float[] out, int off, int stride, int t, int headDim, float scale) {
        if (t <= 0 || headDim <= 0) return;
        long last = off + (long) (t - 1) * stride + headDim;
        for (float[] a : new float[][] {q, k, v, out}) {
            if (off < 0 || stride < headDim || last > a.length)
                throw new IllegalArgumentException("head of " + t + " rows x " + headDim + " at " + off + " stride " + stride + " exceeds an array of " + a.length);
        }
        int dimPad = (headDim + MR - 1) / MR * MR;
        Work w = WORK.get();
        if (w.scores.length < t * NR) w.scores = new float[t * NR];
        if (w.queries.length < headDim * NR) w.queries = new float[headDim * NR];
        if (w.valuesT.length < dimPad * t) w.valuesT = new float[dimPad * t];
        if (w.keyTail.length < MR * headDim) w.keyTail = new float[MR * headDim];
        if (w.context.length < dimPad * NR) w.context = new float[dimPad * NR];
        float[] s = w.scores, qp = w.queries, vt = w.valuesT, kt = w.keyTail, o = w.context;

        // V^T, rows past headDim zero (the last strip of O^T reads MR rows)
        for (int j = 0; j < t; j++) {
            int src = off + j * stride;
            for (int d = 0; d < headDim; d++) vt[d * t + j] = v[src + d];
        }
        Arrays.fill(vt, headDim * t, dimPad * t, 0f);
        // keys past the last whole strip, zero-padded to MR rows
        int full = t / MR * MR;
        Arrays.fill(kt, 0, MR * headDim, 0f);
        for (int j = full; j < t; j++) System.arraycopy(k, off + j * stride, kt, (j - full) * headDim, headDim);

        for (int i0 = 0; i0 < t; i0 += NR) {
            int nq = Math.min(NR, t - i0);
            // the block's queries as one k-major panel, zero past nq
            if (nq < NR) Arrays.fill(qp, 0, headDim * NR, 0f);
            for (int c = 0; c < nq; c++) {
                int src = off + (i0 + c) * stride;
                for (int d = 0; d < headDim; d++) qp[d * NR + c] = q[src + d];
            }
            int j0 = 0;
            if (GemmKernel.wide) { // twelve keys per strip where they fill one (AVX-512)
                for (; j0 + 2 * MR <= full; j0 += 2 * MR)
                    GemmKernel.micro12(k, off + j0 * stride, stride, qp, 0, headDim, s, j0 * NR, NR, NR, 1f, false, w.tile);
            }
            for (int j = j0; j < t; j += MR) { // one call site (the ragged last strip reads the padded copy)
                boolean ragged = j == full;
                GemmKernel.micro(ragged ? kt : k, ragged ? 0 : off + j * stride, ragged ? headDim : stride, qp, 0, headDim,
                        s, j * NR, NR, Math.min(MR, t - j), NR, 1f, false, w.tile);
            }
            softmaxColumns(s, t, scale, w.columns, w.chains);
            int r0 = 0;
            if (GemmKernel.wide) { // rows past headDim are zero in V^T and land in o's padding
                for (; r0 + 2 * MR <= dimPad; r0 += 2 * MR)
                    GemmKernel.micro12(vt, r0 * t, t, s, 0, t, o, r0 * NR, NR, NR, 1f, false, w.tile);
            }
            for (int r = r0; r < dimPad; r += MR)
                GemmKernel.micro(vt, r * t, t, s, 0, t, o, r * NR, NR, Math.min(MR, headDim - r), NR, 1f, false, w.tile);
            for (int c = 0; c < nq; c++) {
                int dst = off + (i0 + c) * stride;
                float inv = w.columns[c];
                for (int d = 0; d < headDim; d++) out[dst + d] = o[d * NR + c] * inv;
            }
        }
    }

    /**
     * In place over s[t][NR]: each column becomes its softmax numerators exp(scale (s - max))
     * (the exponentials of {@link VectorExp}, as the vision tower's row softmax), and
     * {@code inverse[c]} receives 1 / (column c's sum); the caller divides after P V. Both passes
     * walk s in memory order (both lines of a 512-bit row together); per-column values live in
     * NR-float rows read back per vector (NR = 2L is a power of two, so i mod NR is a mask).
     */
    static void softmaxColumns(float[] s, int t, float scale, float[] inverse, float[] chains) {
        int n = t * NR;
        for (int c = 0; c < NR; c += L) FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).intoArray(inverse, c);
        for (int i = 0; i < n; i += L) {
            int c = i & (NR - 1);
            FloatVector.fromArray(F, inverse, c).max(FloatVector.fromArray(F, s, i)).intoArray(inverse, c);
        }
        // each column summed in four chains, rows j mod 4 (chains[(j mod 4) NR + c] = chains[i mod 4NR]):
        // a quarter of the rounding; one exp call site (with four, C2 stopped inlining VectorExp)
        Arrays.fill(chains, 0, 4 * NR, 0f);
        for (int i = 0; i < n; i += L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, s, i).sub(FloatVector.fromArray(F, inverse, i & (NR - 1))).mul(scale));
            e.intoArray(s, i);
            int ch = i & (4 * NR - 1);
            e.add(FloatVector.fromArray(F, chains, ch)).intoArray(chains, ch);
        }
        // the chains added in double, the quotient rounded once to float
        for (int c = 0; c < NR; c++) inverse[c] = (float) (1.0 / ((double) chains[c] + chains[NR + c] + chains[2 * NR + c] + chains[3 * NR + c]));
    }
}
