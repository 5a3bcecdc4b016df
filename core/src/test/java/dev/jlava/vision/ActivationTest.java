package dev.jlava.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlava.kernel.VectorExp;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** erf, exp and the three activations against independent double-precision formulas. */
class ActivationTest {
    /** erf by composite Simpson integration of 2/sqrt(pi) exp(-t^2): independent of {@link Erf}'s series. */
    static double erfSimpson(double z) {
        int n = 4000;
        double h = z / n, s = 1 + Math.exp(-z * z);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }

    @Test
    void exactErfMatchesPublishedValuesAndIntegration() {
        // Abramowitz & Stegun table 7.1 values
        assertThat(Erf.exact(0.1)).isCloseTo(0.1124629160182849, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Erf.exact(0.5)).isCloseTo(0.5204998778130465, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Erf.exact(1.0)).isCloseTo(0.8427007929497149, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Erf.exact(2.0)).isCloseTo(0.9953222650189527, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Erf.exact(3.0)).isCloseTo(0.9999779095030014, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(Erf.exact(-1.0)).isEqualTo(-Erf.exact(1.0));
        assertThat(Erf.exact(0.0)).isEqualTo(0.0);
        double worst = 0;
        for (double z = -6.5; z <= 6.5; z += 0.01) worst = Math.max(worst, Math.abs(Erf.exact(z) - erfSimpson(z)));
        assertThat(worst).isLessThan(1e-13);
    }

    @Test
    void tableErfFollowsTheExactOneEverywhere() {
        double worst = 0;
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            double z = (r.nextDouble() * 2 - 1) * 7;
            worst = Math.max(worst, Math.abs(Erf.erf(z) - Erf.exact(z)));
        }
        for (double z = -7; z <= 7; z += 1.0 / 1024) worst = Math.max(worst, Math.abs(Erf.erf(z) - Erf.exact(z)));
        System.out.printf("table erf vs series: max abs diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-10);
        assertThat(Erf.erf(Double.NaN)).isNaN();
        assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    }

    @Property(tries = 2000)
    void expIsWithinFewUlps(@ForAll @FloatRange(min = -87f, max = 88f) float x) {
        double want = Math.exp(x);
        assertThat(Math.abs(VectorExp.exp(x) - want) / want).isLessThan(4e-7);
    }

    @Test
    void expClampsAtTheEnds() {
        assertThat(VectorExp.exp(-1000f)).isGreaterThan(0f).isLessThan(2e-38f);
        assertThat(VectorExp.exp(1000f)).isFinite().isGreaterThan(1e38f);
        assertThat(VectorExp.exp(0f)).isEqualTo(1f);
    }

    static double reference(Activation a, double x) {
        return switch (a) {
            case GELU_ERF -> 0.5 * x * (1 + erfSimpson(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case QUICK_GELU -> x / (1 + Math.exp(-1.702 * x));
        };
    }

    @Property(tries = 600)
    void activationsMatchDoubleFormulas(@ForAll Activation a, @ForAll @FloatRange(min = -12f, max = 12f) float x) {
        double want = reference(a, x);
        // float32 evaluation: a few ulps of the larger of x and the result
        double tol = a == Activation.GELU_ERF ? 1e-6 * Math.max(1e-3, Math.abs(want)) + 1e-12 : 4e-7 * Math.max(Math.abs(x), 1e-3);
        assertThat(Math.abs(a.apply(x) - want)).as(a + " at " + x).isLessThanOrEqualTo(tol);
    }

    @Test
    void geluErfIsWithin1e6OfTheExactFunction() {
        double worst = 0;
        for (double x = -10; x <= 10; x += 0.0037) {
            worst = Math.max(worst, Math.abs(Activation.GELU_ERF.apply((float) x) - reference(Activation.GELU_ERF, (float) x)));
        }
        System.out.printf("erf GELU vs double reference on [-10, 10]: max abs diff %.3g%n", worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Property(tries = 100)
    void arrayFormIsBitIdenticalToScalarForm(@ForAll Activation a, @ForAll @IntRange(min = 0, max = 70) int len,
                                             @ForAll @IntRange(min = 0, max = 9) int off, @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = new float[off + len + 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 4);
        float[] y = x.clone();
        a.apply(y, off, len);
        for (int i = 0; i < x.length; i++) {
            float want = i >= off && i < off + len ? a.apply(x[i]) : x[i];
            assertThat(y[i]).isEqualTo(want);
        }
    }

    @Test
    void hfNames() {
        assertThat(Activation.fromHf("gelu")).isEqualTo(Activation.GELU_ERF);
        assertThat(Activation.fromHf("gelu_pytorch_tanh")).isEqualTo(Activation.GELU_TANH);
        assertThat(Activation.fromHf("gelu_new")).isEqualTo(Activation.GELU_TANH);
        assertThat(Activation.fromHf("quick_gelu")).isEqualTo(Activation.QUICK_GELU);
        assertThat(Activation.fromHf("relu")).isNull();
    }
}
