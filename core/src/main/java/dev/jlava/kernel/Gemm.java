package dev.jlava.kernel;

import static dev.jlava.kernel.GemmKernel.NR;
import static dev.jlava.kernel.Simd.F;
import static dev.jlava.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * Products of two float32 activation matrices (attention scores and context, the vision
 * tower's attention), row-major with leading dimensions. Large products run the packed GEMM
 * ({@link GemmKernel}) on the thread pool; products with fewer than {@link GemmKernel#MR} rows
 * (decode-time attention) use dot/axpy loops that need no packing.
 */
public final class Gemm {
    private Gemm() {}

    /**
     * {@code C[m][n] = alpha * A[m][k] . B[n][k]^T}, plus the old C when {@code accumulate}.
     * Element (i, j) of A is {@code a[aOff + i*lda + j]}, likewise B and C.
     */
    public static void abT(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                           int m, int n, int k, float alpha, boolean accumulate) {
        check(a, aOff, lda, m, k, "A");
        check(b, bOff, ldb, n, k, "B");
        check(c, cOff, ldc, m, n, "C");
        if (m < GemmKernel.MR) {
            Parallel.forRange(n, 4, (j0, j1) -> {
                for (int i = 0; i < m; i++) {
                    for (int j = j0; j < j1; j++) {
                        float s = Ops.dot(a, aOff + i * lda, b, bOff + j * ldb, k) * alpha;
                        int o = cOff + i * ldc + j;
                        c[o] = accumulate ? c[o] + s : s;
                    }
                }
            });
            return;
        }
        GemmKernel.multiply(a, aOff, lda, transposedSource(b, bOff, ldb), c, cOff, ldc, m, n, k, alpha, accumulate);
    }

    /** Packs B^T for {@link #abT}: B's rows j0.. (ldb apart) become panel columns, zero past nr. */
    static GemmKernel.PanelSource transposedSource(float[] b, int bOff, int ldb) {
        return (j0, nr, p0, kc, panel, off, s) -> {
            for (int r = 0; r < nr; r++) {
                int src = bOff + (j0 + r) * ldb + p0;
                for (int kk = 0, o = off + r; kk < kc; kk++, o += NR) panel[o] = b[src + kk];
            }
            for (int r = nr; r < NR; r++) for (int kk = 0, o = off + r; kk < kc; kk++, o += NR) panel[o] = 0f;
        };
    }

    /** Packs B for {@link #ab}: columns j0.. of B's rows p0.. (ldb apart), zero past nr. */
    static GemmKernel.PanelSource directSource(float[] b, int bOff, int ldb) {
        return (j0, nr, p0, kc, panel, off, s) -> {
            for (int kk = 0; kk < kc; kk++) {
                int src = bOff + (p0 + kk) * ldb + j0;
                int o = off + kk * NR;
                if (nr == NR) {
                    FloatVector.fromArray(F, b, src).intoArray(panel, o);
                    FloatVector.fromArray(F, b, src + L).intoArray(panel, o + L);
                } else {
                    System.arraycopy(b, src, panel, o, nr);
                    java.util.Arrays.fill(panel, o + nr, o + NR, 0f);
                }
            }
        };
    }

    /**
     * {@code C[m][n] = alpha * A[m][k] . B[k][n]}, plus the old C when {@code accumulate}.
     */
    public static void ab(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                          int m, int n, int k, float alpha, boolean accumulate) {
        check(a, aOff, lda, m, k, "A");
        check(b, bOff, ldb, k, n, "B");
        check(c, cOff, ldc, m, n, "C");
        if (m < GemmKernel.MR) {
            // Row i of C is a combination of B's rows: axpy over k, split over columns.
            Parallel.forRange(n, L, (j0, j1) -> {
                for (int i = 0; i < m; i++) {
                    int co = cOff + i * ldc;
                    if (!accumulate) java.util.Arrays.fill(c, co + j0, co + j1, 0f);
                    for (int kk = 0; kk < k; kk++) {
                        float s = a[aOff + i * lda + kk] * alpha;
                        Ops.axpy(s, b, bOff + kk * ldb + j0, c, co + j0, j1 - j0);
                    }
                }
            });
            return;
        }
        GemmKernel.multiply(a, aOff, lda, directSource(b, bOff, ldb), c, cOff, ldc, m, n, k, alpha, accumulate);
    }

    private static void check(float[] x, int off, int ld, int rows, int cols, String what) {
        if (rows < 0 || cols < 0 || off < 0 || (rows > 1 && ld < cols)) {
            throw new IllegalArgumentException(what + ": " + rows + "x" + cols + " with offset " + off + " and leading dimension " + ld);
        }
        if (rows > 0 && cols > 0 && (long) off + (long) (rows - 1) * ld + cols > x.length) {
            throw new IllegalArgumentException(what + ": " + rows + "x" + cols + " at offset " + off + ", ld " + ld + " exceeds its array of " + x.length);
        }
    }
}
