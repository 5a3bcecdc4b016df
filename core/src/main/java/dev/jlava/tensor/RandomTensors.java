package dev.jlava.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Deterministic random F32 tensors in memory (random models of real shapes for the demo and
 * benchmarks). A SplitMix64 stream gives uniform values with the requested mean and standard
 * deviation at about 1 ns per value, so even a 0.5B-parameter model is generated in seconds.
 */
public final class RandomTensors {
    private long state;

    public RandomTensors(long seed) {
        this.state = seed;
    }

    private long next() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public void fill(float[] a, float std, float mean) {
        fill(a, a.length, std, mean);
    }

    private void fill(float[] a, int len, float std, float mean) {
        float half = std * (float) Math.sqrt(3);
        float scale = 2f * half / (1 << 24);
        float off = mean - half;
        for (int i = 0; i < len; i++) a[i] = off + (next() >>> 40) * scale;
    }

    public float[] values(int n, float std, float mean) {
        float[] a = new float[n];
        fill(a, std, mean);
        return a;
    }

    /**
     * An F32 tensor of the given shape with values of the given spread, in native memory like a
     * loaded checkpoint's (freed with the tensor): a random model then leaves the Java heap to
     * what a real one uses it for (activations, the vision tower's packed panels).
     */
    public Tensor tensor(String name, float std, float mean, long... shape) {
        long n = Tensor.numel(shape);
        MemorySegment seg = Arena.ofAuto().allocate(n * Float.BYTES, 64);
        float[] chunk = new float[(int) Math.min(n, 1 << 16)];
        for (long i = 0; i < n; i += chunk.length) {
            int len = (int) Math.min(chunk.length, n - i);
            fill(chunk, len, std, mean);
            MemorySegment.copy(chunk, 0, seg, Tensor.F32_LE, i * Float.BYTES, len);
        }
        return new Tensor(name, DType.F32, shape, seg);
    }
}
