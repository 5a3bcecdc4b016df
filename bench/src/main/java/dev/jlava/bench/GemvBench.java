package dev.jlava.bench;

import dev.jlava.kernel.Linear;
import dev.jlava.kernel.Parallel;
import dev.jlava.tensor.DType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-token linear layers (decode): Qwen2-0.5B FFN up/gate (4864x896) and down (896x4864).
 * GB/s = weight bytes / time; the weight (2-17 MB) stays in the L3 cache between calls, so this
 * is an L3-bandwidth figure: a whole model's weights come from DRAM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemvBench {
    @Param({"4864x896", "896x4864"})
    public String shape;

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    Linear linear;
    float[] x, y;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        int n = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]);
        Parallel.setThreads(threads);
        linear = Linear.of(KernelPerf.nativeWeight(DType.valueOf(dtype), n, k, 9));
        x = KernelPerf.input(k);
        y = new float[n];
    }

    @Benchmark
    public float[] gemv() {
        linear.forward(x, 1, y);
        return y;
    }
}
