package dev.jlava.bench;

import dev.jlava.kernel.Gemm;
import dev.jlava.kernel.Parallel;
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

/** Activation x activation products of attention: scores Q.K^T (abT) and context P.V (ab), per head. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ActivationGemmBench {
    /** tokens x head dim: Qwen2-0.5B prefill (64), SigLIP frame (72). */
    @Param({"512x64", "729x72"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    float[] q, k, v, s, o;
    int t, d;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        t = Integer.parseInt(p[0]);
        d = Integer.parseInt(p[1]);
        Parallel.setThreads(threads);
        q = KernelPerf.input(t * d);
        k = KernelPerf.input(t * d);
        v = KernelPerf.input(t * d);
        s = new float[t * t];
        o = new float[t * d];
    }

    @Benchmark
    public float[] scores() {
        Gemm.abT(q, 0, d, k, 0, d, s, 0, t, t, t, d, 0.125f, false);
        return s;
    }

    @Benchmark
    public float[] context() {
        Gemm.ab(s, 0, t, v, 0, d, o, 0, d, t, d, t, 1f, false);
        return o;
    }
}
