package dev.jlava.llm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.io.ModelFileException;
import dev.jlava.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint-level errors: missing tensors, shapes that contradict the config, unsupported models. */
class CheckpointErrorsTest {
    @TempDir Path tmp;

    static final DecoderConfig C = new DecoderConfig(DecoderConfig.Architecture.QWEN2, 32, 2, 4, 2, 8, 48, 100, 1e6, 1e-6f, true, true, DecoderConfig.RopeStyle.NEOX, 128);

    @Test
    void missingTensor() throws Exception {
        Map<String, float[]> w = RandomCheckpoints.weights(C, 1);
        w.remove("model.layers.1.mlp.up_proj.weight");
        RandomCheckpoints.writeHf(tmp, C, w, DType.F32, 1);
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("missing tensor 'model.layers.1.mlp.up_proj.weight'");
    }

    @Test
    void shapeNotMatchingConfig() throws Exception {
        RandomCheckpoints.writeHf(tmp, C, RandomCheckpoints.weights(C, 1), DType.F32, 1);
        String cfg = Files.readString(tmp.resolve("config.json")).replace("\"intermediate_size\" : 48", "\"intermediate_size\" : 64");
        Files.writeString(tmp.resolve("config.json"), cfg);
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight").hasMessageContaining("[48, 32]").hasMessageContaining("[64, 32]");
    }

    @Test
    void unsupportedArchitecture() throws Exception {
        RandomCheckpoints.writeHf(tmp, C, RandomCheckpoints.weights(C, 1), DType.F32, 1);
        String cfg = Files.readString(tmp.resolve("config.json")).replace("qwen2", "mamba").replace("Qwen2ForCausalLM", "MambaForCausalLM");
        Files.writeString(tmp.resolve("config.json"), cfg);
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("config.json").hasMessageContaining("'mamba'").hasMessageContaining("supported");
    }

    @Test
    void badConfigField() throws Exception {
        RandomCheckpoints.writeHf(tmp, C, RandomCheckpoints.weights(C, 1), DType.F32, 1);
        String cfg = Files.readString(tmp.resolve("config.json")).replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : \"two\"");
        Files.writeString(tmp.resolve("config.json"), cfg);
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("config.json").hasMessageContaining("'num_hidden_layers' = \"two\" must be a positive integer");
    }

    @Test
    void absentConfigFieldTakesTransformersDefault() throws Exception {
        // LlamaConfig's default of 32 layers then contradicts the 2 layers stored: the loader names the first missing tensor.
        RandomCheckpoints.writeHf(tmp, C, RandomCheckpoints.weights(C, 1), DType.F32, 1);
        String cfg = Files.readString(tmp.resolve("config.json")).replace("\"num_hidden_layers\"", "\"n_layers\"");
        Files.writeString(tmp.resolve("config.json"), cfg);
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("missing tensor 'model.layers.2.input_layernorm.weight'");
    }

    @Test
    void shardIndexNamesMissingFile() throws Exception {
        RandomCheckpoints.writeHf(tmp, C, RandomCheckpoints.weights(C, 1), DType.F32, 2);
        Files.delete(tmp.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("does not exist");
    }

    @Test
    void ggufMissingTensorAndWrongArch() throws Exception {
        Map<String, float[]> w = RandomCheckpoints.weights(C, 1);
        Path f = tmp.resolve("m.gguf");
        RandomCheckpoints.writeGguf(f, C, w);
        byte[] b = Files.readAllBytes(f);
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replace("blk.1.ffn_up.weight", "blk.1.ffn_XX.weight");
        Files.write(f, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> DecoderCheckpoint.open(f)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("m.gguf").hasMessageContaining("missing tensor 'blk.1.ffn_up.weight'");
    }

    @Test
    void nonexistentPath() {
        assertThatThrownBy(() -> DecoderCheckpoint.open(tmp.resolve("nope.gguf"))).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("nope.gguf").hasMessageContaining("no such file");
    }
}
