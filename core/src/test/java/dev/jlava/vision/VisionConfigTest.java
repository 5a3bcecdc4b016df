package dev.jlava.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.ModelFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Parsing the vision part of LLaVA config.json files: transformers' defaults and clear errors. */
class VisionConfigTest {
    static final Path FILE = Path.of("config.json");

    static VisionConfig parse(String json) throws Exception {
        JsonNode n = new ObjectMapper().readTree(json.replace('\'', '"'));
        return VisionConfig.fromLlavaConfig(FILE, n);
    }

    @Test
    void goldenCheckpoints() {
        VisionConfig ov = VisionConfig.fromLlavaConfig(SharedData.golden("llava-ov/tiny-llava-ov-hf/config.json"));
        assertThat(ov).isEqualTo(new VisionConfig(VisionConfig.Family.SIGLIP, 32, 64, 2, 2, 3, 384, 14, 1e-6, Activation.GELU_TANH,
                new int[] {-1}, VisionConfig.Strategy.FULL, Activation.GELU_ERF, true));
        assertThat(ov.grid()).isEqualTo(27);
        VisionConfig l15 = VisionConfig.fromLlavaConfig(SharedData.golden("llava15/tiny-llava15-deep-f16-hf/config.json"));
        assertThat(l15).isEqualTo(new VisionConfig(VisionConfig.Family.CLIP, 32, 64, 3, 2, 3, 336, 14, 1e-5, Activation.QUICK_GELU,
                new int[] {-2}, VisionConfig.Strategy.DEFAULT, Activation.GELU_ERF, true));
        assertThat(l15.tokens()).isEqualTo(577);
        assertThat(l15.featureTokens()).isEqualTo(576);
        assertThat(l15.headDim()).isEqualTo(16);
    }

    @Test
    void llavaHubConfigOmitsClipDefaults() throws Exception {
        // the shape of llava-hf/llava-1.5-7b-hf: no hidden_act, layer_norm_eps, feature layer or strategy
        VisionConfig c = parse("{'model_type':'llava','vision_config':{'hidden_size':1024,'image_size':336,'intermediate_size':4096,"
                + "'model_type':'clip_vision_model','num_attention_heads':16,'num_hidden_layers':24,'patch_size':14,'projection_dim':768}}");
        assertThat(c.family()).isEqualTo(VisionConfig.Family.CLIP);
        assertThat(c.activation()).isEqualTo(Activation.QUICK_GELU);
        assertThat(c.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.featureLayers()).containsExactly(-2);
        assertThat(c.hiddenStateIndices()).containsExactly(23);
        assertThat(c.layersToRun()).isEqualTo(23);
        assertThat(c.strategy()).isEqualTo(VisionConfig.Strategy.DEFAULT);
        assertThat(c.tokens()).isEqualTo(577);
        assertThat(c.projectorActivation()).isEqualTo(Activation.GELU_ERF);
        assertThat(c.projectorBias()).isTrue();
    }

    @Test
    void emptyVisionConfigTakesTheClassDefaults() throws Exception {
        VisionConfig sig = parse("{'model_type':'llava_onevision','vision_config':{}}");
        assertThat(sig).isEqualTo(new VisionConfig(VisionConfig.Family.SIGLIP, 768, 3072, 12, 12, 3, 224, 16, 1e-6, Activation.GELU_TANH,
                new int[] {-1}, VisionConfig.Strategy.FULL, Activation.GELU_ERF, true));
        VisionConfig clip = parse("{'model_type':'llava_next','vision_config':{}}");
        assertThat(clip).isEqualTo(new VisionConfig(VisionConfig.Family.CLIP, 768, 3072, 12, 12, 3, 224, 32, 1e-5, Activation.QUICK_GELU,
                new int[] {-2}, VisionConfig.Strategy.DEFAULT, Activation.GELU_ERF, true));
    }

    @Test
    void featureLayerListsAndSquarePairs() throws Exception {
        VisionConfig c = parse("{'model_type':'llava','vision_feature_layer':[-2,-5,3],'vision_feature_select_strategy':'full',"
                + "'multimodal_projector_bias':false,'projector_hidden_act':'gelu','vision_config':{'model_type':'siglip_vision_model',"
                + "'num_hidden_layers':6,'hidden_size':64,'num_attention_heads':4,'image_size':[384,384],'patch_size':[14,14]}}");
        assertThat(c.hiddenStateIndices()).containsExactly(5, 2, 3);
        assertThat(c.layersToRun()).isEqualTo(5);
        assertThat(c.featureDim()).isEqualTo(192);
        assertThat(c.imageSize()).isEqualTo(384);
        assertThat(c.patches()).isEqualTo(729);
        assertThat(c.projectorBias()).isFalse();
    }

    @Test
    void errorsNameTheFieldAndTheProblem() {
        String v = "'vision_config':{'model_type':'clip_vision_model','num_hidden_layers':3,'hidden_size':32,'num_attention_heads':2}";
        assertError("{'model_type':'qwen2'," + v + "}", "config.json: model_type 'qwen2' is not a supported LLaVA model");
        assertError("{'model_type':'llava'}", "config.json: missing object 'vision_config'");
        assertError("{'model_type':'llava','vision_config':{'model_type':'pixtral'}}", "vision_config.model_type 'pixtral' is not supported");
        assertError("{'model_type':'llava','vision_feature_layer':4," + v + "}", "vision_feature_layer 4 is outside the tower's hidden_states (indices -4 .. 3 for 3 layers)");
        assertError("{'model_type':'llava','vision_feature_layer':[-1,-5]," + v + "}", "vision_feature_layer -5 is outside");
        assertError("{'model_type':'llava','vision_feature_layer':'last'," + v + "}", "'vision_feature_layer' = \"last\" must be an integer or a list of integers");
        assertError("{'model_type':'llava','vision_feature_select_strategy':'cls_patch'," + v + "}", "vision_feature_select_strategy 'cls_patch' is not supported");
        assertError("{'model_type':'llava','projector_hidden_act':'relu'," + v + "}", "field 'projector_hidden_act' = 'relu' is not supported");
        assertError("{'model_type':'llava','multimodal_projector_bias':'yes'," + v + "}", "multimodal_projector_bias = \"yes\" must be true or false");
        assertError("{'model_type':'llava','vision_config':{'hidden_size':'big'}}", "field 'vision_config.hidden_size' = \"big\" must be a positive integer");
        assertError("{'model_type':'llava','vision_config':{'hidden_act':'swish'}}", "field 'vision_config.hidden_act' = 'swish' is not supported");
        assertError("{'model_type':'llava','vision_config':{'hidden_size':30,'num_attention_heads':4}}", "vision_config.hidden_size 30 is not a multiple of num_attention_heads 4");
        assertError("{'model_type':'llava','vision_config':{'image_size':[384,336]}}", "only square images/patches are supported");
        assertError("{'model_type':'llava','vision_config':{'layer_norm_eps':0}}", "'vision_config.layer_norm_eps' = 0 must be a positive number");
        assertError("{'model_type':'llava','vision_config':{'image_size':10,'patch_size':14}}", "patch_size 14 exceeds image_size 10");
    }

    static void assertError(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(ModelFileException.class).hasMessageContaining(message);
    }
}
