package dev.jlava.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main job (the demo) and the bench modes, on small settings so they stay fast. */
class DemoAndBenchTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @Test
    void demoRunsTheWholePathOnTheEmbeddedClip() throws Exception {
        Cli r = Cli.run("demo", "--frames", "4", "--max-tokens", "3", "--out", tmp.toString(),
                "--no-compare", "--reduce", "holitom(r=0.2,tau=0.8)");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("meaningless").contains("sampled 4 at [0, 21, 42, 63]")
                .contains("visual tokens 785 -> ").contains("| holitom(r=0.2,tau=0.8)");
        JsonNode rep = JSON.readTree(tmp.resolve("report-holitom_r_0.2_tau_0.8_.json").toFile());
        assertThat(rep.get("visual_tokens").get("none").asInt()).isEqualTo(4 * 196 + 1);
        assertThat(rep.get("segments").size()).isGreaterThanOrEqualTo(1);
        assertThat(Files.list(tmp).filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(1);
    }

    @Test
    void llmBenchReportsPpAndTg() throws Exception {
        Cli r = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-q8_0.gguf").toString(), "-p", "16", "-n", "4", "--reps", "3", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode a = JSON.readTree(r.out());
        assertThat(a.get(0).get("mmap").asBoolean()).isFalse(); // weights copied into memory by default
        assertThat(a.get(0).get("test").asText()).isEqualTo("pp16");
        assertThat(a.get(1).get("test").asText()).isEqualTo("tg4");
        for (JsonNode t : a) { // llama-bench's statistics: mean and sample deviation over the timed repetitions
            double[] each = new double[t.get("tokens_per_second_each").size()];
            for (int i = 0; i < each.length; i++) each[i] = t.get("tokens_per_second_each").get(i).asDouble();
            assertThat(each).hasSize(3);
            assertThat(java.util.Arrays.stream(each).min().orElseThrow()).isPositive();
            double mean = java.util.Arrays.stream(each).average().orElseThrow();
            double sd = Math.sqrt(java.util.Arrays.stream(each).map(v -> (v - mean) * (v - mean)).sum() / 2);
            assertThat(t.get("tokens_per_second").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9 * mean));
            assertThat(t.get("tokens_per_second_sd").asDouble()).isCloseTo(sd, org.assertj.core.data.Offset.offset(1e-9 * mean));
            assertThat(t.get("best_tokens_per_second").asDouble()).isEqualTo(java.util.Arrays.stream(each).max().orElseThrow());
        }
        Cli mapped = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-f32.gguf").toString(), "-p", "8", "-n", "2", "--reps", "1", "--mmap", "--json");
        assertThat(mapped.exit()).as(mapped.err()).isZero();
        assertThat(JSON.readTree(mapped.out()).get(0).get("mmap").asBoolean()).isTrue();
        Cli again = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-f32.gguf").toString(), "-p", "8", "-n", "0", "--reps", "1", "--json");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(JSON.readTree(again.out()).get(0).get("mmap").asBoolean()).as("an earlier --mmap does not stick").isFalse();
        Cli copied = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-f32.gguf").toString(), "-p", "8", "-n", "2", "--reps", "1", "--no-mmap", "--json");
        assertThat(copied.exit()).as(copied.err()).isZero();
        assertThat(JSON.readTree(copied.out()).get(0).get("mmap").asBoolean()).isFalse();
        Cli table = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-q8_0.gguf").toString(), "-p", "8", "-n", "0", "--reps", "2");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).containsPattern("\\| +pp8 \\| +[0-9.]+ ± [0-9.]+ \\|");
    }

    @Test
    void llmBenchDecodesAtDepth() throws Exception {
        Cli r = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-f32.gguf").toString(), "-p", "0", "-n", "3", "-d", "12", "--reps", "1", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode a = JSON.readTree(r.out());
        assertThat(a).hasSize(1);
        assertThat(a.get(0).get("test").asText()).isEqualTo("tg3 @ d12");
        assertThat(a.get(0).get("tokens_per_second").asDouble()).isPositive();
        Cli tooDeep = Cli.run("bench", "--model", SharedData.golden("llm/qwen2-tiny-f32.gguf").toString(), "-p", "0", "-n", "3", "-d", "100000000");
        assertThat(tooDeep.exit()).isNotZero();
        assertThat(tooDeep.err()).contains("-d 100000000").contains("exceeds the model's context").doesNotContain("Exception");
        assertThat(tooDeep.out()).isEmpty();
    }

    @Test
    void endToEndBenchComparesMethodsAndPlots() throws Exception {
        Path plot = tmp.resolve("plot.png");
        Cli r = Cli.run("bench", "--shape", "demo", "--video", SharedData.media("scenes_short.mp4").toString(), "--frames", "4", "-n", "2",
                "--reduce", "none,fastv(K=2,R=0.5),holitom(r=0.2,tau=0.8)", "--plot", plot.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("| none ").contains("| fastv(K=2,R=0.5)").contains("papers' FLOPs");
        String none = r.out().lines().filter(l -> l.startsWith("| none ")).findFirst().orElseThrow();
        assertThat(none.split("100.0%", -1)).as("exact and papers' FLOPs of none are 100%%: %s", none).hasSizeGreaterThanOrEqualTo(3);
        assertThat(Files.size(plot)).isPositive();
    }
}
