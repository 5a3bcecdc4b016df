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
 * Linear layers with many rows (prefill, vision tower): {@code y[m][n] = x[m][k] . W[n][k]^T}
 * with the weight in native memory in its storage dtype. GFLOP/s = 2*m*n*k / (ms per op * 1e6).
 * Shapes: Qwen2-0.5B attention projection (512x896x896) and FFN up (512x4864x896) for a
 * 512-token prefill; SigLIP-so400m MLP fc1 for one 729-token frame (729x4304x1152).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBench {
    @Param({"512x896x896", "512x4864x896", "729x4304x1152"})
    public String shape;

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    Linear linear;
    float[] x, y;
    int m;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        int n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
        Parallel.setThreads(threads);
        linear = Linear.of(KernelPerf.nativeWeight(DType.valueOf(dtype), n, k, 7));
        x = KernelPerf.input(m * k);
        y = new float[m * n];
    }

    @Benchmark
    public float[] gemm() {
        linear.forward(x, m, y);
        return y;
    }
}
