package dev.jlava.vision.video;

/**
 * The LLaVA-NeXT / LLaVA-OneVision / HoliTom frame sampler:
 * {@code np.linspace(0, total - 1, n, dtype=int)} (equivalently {@code .astype(int)}).
 * numpy computes {@code i * step} with {@code step = (total - 1) / (n - 1)} in double, sets the
 * last sample to exactly {@code total - 1}, and truncates. With fewer frames than samples the
 * indices repeat.
 */
public final class UniformSampling {
    private UniformSampling() {}

    /** {@code n} frame indices in {@code [0, total)}, non-decreasing, first 0 and last total - 1. */
    public static int[] indices(int total, int n) {
        if (total <= 0) throw new IllegalArgumentException("cannot sample from " + total + " frames");
        if (n <= 0) throw new IllegalArgumentException("number of samples must be positive, got " + n);
        int[] out = new int[n];
        if (n == 1) return out; // linspace(0, stop, 1) = [0]
        double stop = total - 1;
        double step = stop / (n - 1);
        for (int i = 0; i < n - 1; i++) {
            // step == 0 happens for a single frame; numpy then computes i / div * delta = 0 too
            out[i] = (int) Math.floor(i * step);
        }
        out[n - 1] = total - 1;
        return out;
    }
}
