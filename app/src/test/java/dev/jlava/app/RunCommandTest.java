package dev.jlava.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jlava run` on the tiny golden checkpoints: real video decoding through to the golden greedy tokens. */
class RunCommandTest {
    static final Path OV = SharedData.golden("llava-ov");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @Test
    void videoRunReproducesTheGoldenGreedyTokens() throws Exception {
        Path logits = tmp.resolve("last.f32"), report = tmp.resolve("report.json");
        Cli r = Cli.run("run", "--model", OV.resolve("tiny-llava-ov-hf").toString(), "--video", SharedData.media("scenes.mp4").toString(),
                "--frames", "8", "--prompt", "What happens in this video?", "--greedy", "--max-tokens", "8", "--ignore-eos",
                "--json", "--dump-last-logits", logits.toString(), "--report", report.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        try (Safetensors g = Safetensors.open(OV.resolve("case_a_video_noreduce.safetensors"))) {
            int[] greedy = g.get("greedy_ids").toIntArray();
            assertThat(JSON.convertValue(o.get("generated_ids"), int[].class)).containsExactly(greedy);
            float[] exp = g.get("logits_last").toFloatArray();
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(logits)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.remaining()).isEqualTo(exp.length * 4);
            double max = 0;
            for (float e : exp) max = Math.max(max, Math.abs(b.getFloat() - e));
            assertThat(max).isLessThanOrEqualTo(1e-4);
        }
        assertThat(o.get("frames").get("indices").toString()).isEqualTo("[0,41,82,123,164,205,246,287]");
        JsonNode rep = JSON.readTree(report.toFile());
        assertThat(rep.get("visual_tokens").get("out").asInt()).isEqualTo(1569);
        assertThat(rep.get("flops").get("prefill_percent_of_none").asDouble()).isEqualTo(100.0);
    }

    @Test
    void holitomRunFindsTheFourScenesAndReportsSegments() throws Exception {
        Path report = tmp.resolve("report.json"), map = tmp.resolve("map.png");
        Cli r = Cli.run("run", "--model", OV.resolve("tiny-llava-ov-hf").toString(), "--video", SharedData.media("scenes.mp4").toString(),
                "--frames", "32", "--prompt", "What happens in this video?", "--greedy", "--max-tokens", "2",
                "--reduce", "holitom(r=0.15,tau=0.8)", "--report", report.toString(), "--token-map", map.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("visual tokens 6273 -> ").contains("% of none");
        JsonNode rep = JSON.readTree(report.toFile());
        // scenes.mp4: four scenes of 72 frames; 32 samples -> 8 per scene (media README)
        assertThat(rep.get("segments").toString()).isEqualTo("[[0,7],[8,15],[16,23],[24,31]]");
        assertThat(rep.get("flops").get("prefill_percent_of_none").asDouble()).isLessThan(20);
        assertThat(Files.size(map)).isPositive();
    }

    @Test
    void badRequestsGiveOneClearMessage() throws Exception {
        Cli r = Cli.run("run", "--model", OV.resolve("tiny-llava-ov-hf").toString(), "--video", SharedData.media("audio_only.mp4").toString(),
                "--prompt", "x", "--report", tmp.resolve("r.json").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("audio_only.mp4").doesNotContain("\tat ");
        assertThat(tmp.resolve("r.json")).doesNotExist();

        Cli plan = Cli.run("run", "--model", OV.resolve("tiny-llava-ov-hf").toString(), "--video", SharedData.media("scenes.mp4").toString(),
                "--prompt", "x", "--reduce", "fastv(K=5,R=0.5)");
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err()).contains("K").contains("2");

        Cli method = Cli.run("run", "--model", OV.resolve("tiny-llava-ov-hf").toString(), "--video", SharedData.media("scenes.mp4").toString(),
                "--prompt", "x", "--reduce", "magic(x=1)");
        assertThat(method.exit()).isEqualTo(1);
        assertThat(method.err()).contains("magic").contains("holitom");

        Cli notLlava = Cli.run("run", "--model", SharedData.golden("llm/qwen2-tiny-hf").toString(), "--image", SharedData.media("still_640x360.png").toString(), "--prompt", "x");
        assertThat(notLlava.exit()).isEqualTo(1);
        assertThat(notLlava.err()).contains("config.json").contains("qwen2");
    }
}
