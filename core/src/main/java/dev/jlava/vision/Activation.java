package dev.jlava.vision;

import dev.jlava.kernel.VectorExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations of LLaVA vision towers and projectors, by their transformers {@code ACT2FN} names.
 * Computed in float32 like PyTorch (the erf GELU in double); the array and scalar forms give
 * bit-identical results (see {@link VectorExp}).
 */
public enum Activation {
    /** {@code gelu}: x/2 (1 + erf(x/sqrt 2)), the projector's activation. */
    GELU_ERF,
    /** {@code gelu_pytorch_tanh} (also {@code gelu_new}, {@code gelu_fast}): x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), SigLIP's MLP. */
    GELU_TANH,
    /** {@code quick_gelu}: x sigmoid(1.702 x), CLIP's MLP. */
    QUICK_GELU;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float KAPPA = 0.044715f;
    private static final float QUICK = 1.702f;
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);

    /** The activation named by a config's {@code hidden_act} / {@code projector_hidden_act}, or null if unsupported. */
    public static Activation fromHf(String name) {
        return switch (name) {
            case "gelu" -> GELU_ERF;
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> GELU_TANH;
            case "quick_gelu" -> QUICK_GELU;
            default -> null;
        };
    }

    /** Applies the activation in place to {@code x[off .. off+len)}. */
    public void apply(float[] x, int off, int len) {
        switch (this) {
            case GELU_ERF -> {
                for (int i = off; i < off + len; i++) x[i] = geluErf(x[i]);
            }
            case GELU_TANH -> {
                int i = off, end = off + len, vend = off + S.loopBound(len);
                for (; i < vend; i += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    FloatVector u = v.mul(v).mul(KAPPA).add(1f).mul(v).mul(-2 * SQRT_2_OVER_PI);
                    v.div(VectorExp.exp(u).add(1f)).intoArray(x, i);
                }
                for (; i < end; i++) x[i] = geluTanh(x[i]);
            }
            case QUICK_GELU -> {
                int i = off, end = off + len, vend = off + S.loopBound(len);
                for (; i < vend; i += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    v.div(VectorExp.exp(v.mul(-QUICK)).add(1f)).intoArray(x, i);
                }
                for (; i < end; i++) x[i] = quickGelu(x[i]);
            }
        }
    }

    /** The activation of one value (scalar reference; {@link #apply} is the fast path). */
    public float apply(float x) {
        return switch (this) {
            case GELU_ERF -> geluErf(x);
            case GELU_TANH -> geluTanh(x);
            case QUICK_GELU -> quickGelu(x);
        };
    }

    static float geluErf(float x) {
        return (float) (0.5 * x * (1 + Erf.erf(x * INV_SQRT2)));
    }

    /** x/2 (1 + tanh u) written as x sigmoid(2u) = x / (1 + exp(-2u)): no cancellation for negative x. */
    static float geluTanh(float x) {
        return x / (VectorExp.exp((x * x * KAPPA + 1f) * x * (-2 * SQRT_2_OVER_PI)) + 1f);
    }

    static float quickGelu(float x) {
        return x / (VectorExp.exp(x * -QUICK) + 1f);
    }
}
