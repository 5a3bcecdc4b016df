package dev.jlava.llava;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.io.ModelFileException;
import dev.jlava.llm.DecoderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A LLaVA checkpoint's {@code config.json}: {@code LlavaForConditionalGeneration} (LLaVA-1.5: CLIP +
 * LLaMA/Vicuna) or {@code LlavaOnevisionForConditionalGeneration} (SigLIP + Qwen2), with the
 * transformers defaults for absent keys.
 *
 * @param visionConfig the raw {@code vision_config} node (parsed by the vision tower)
 * @param gridPinpoints anyres resolutions as [height, width] pairs (OneVision)
 */
public record LlavaConfig(
        Family family,
        Path file,
        DecoderConfig text,
        JsonNode visionConfig,
        int imageTokenId,
        int videoTokenId,
        int visionFeatureLayer,
        String visionFeatureSelectStrategy,
        String projectorAct,
        String visionAspectRatio,
        List<int[]> gridPinpoints) {

    public enum Family { LLAVA_1_5, LLAVA_ONEVISION }

    public static LlavaConfig read(Path configJson) {
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ModelFileException(configJson, "cannot read: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) throw new ModelFileException(configJson, "not a JSON object");
        String type = c.path("model_type").asText("");
        String arch = c.path("architectures").path(0).asText("");
        Family family = switch (type) {
            case "llava" -> Family.LLAVA_1_5;
            case "llava_onevision" -> Family.LLAVA_ONEVISION;
            default -> throw new ModelFileException(configJson, "model_type '" + type + "' (architectures '" + arch
                    + "') is not a supported vision-language model (supported: llava = LlavaForConditionalGeneration, "
                    + "llava_onevision = LlavaOnevisionForConditionalGeneration)");
        };
        JsonNode textNode = c.get("text_config");
        if (textNode == null || !textNode.isObject()) {
            throw new ModelFileException(configJson, "missing 'text_config'");
        }
        DecoderConfig text = DecoderConfig.fromHfConfig(configJson, textNode);
        JsonNode vision = c.get("vision_config");
        if (vision == null || !vision.isObject()) throw new ModelFileException(configJson, "missing 'vision_config'");
        boolean ov = family == Family.LLAVA_ONEVISION;
        int imageToken = c.path("image_token_index").asInt(c.path("image_token_id").asInt(ov ? 151646 : 32000));
        int videoToken = c.path("video_token_index").asInt(c.path("video_token_id").asInt(ov ? 151647 : -1));
        JsonNode layer = c.get("vision_feature_layer");
        int featureLayer;
        if (layer == null || layer.isNull()) featureLayer = ov ? -1 : -2;
        else if (layer.isInt()) featureLayer = layer.asInt();
        else throw new ModelFileException(configJson, "vision_feature_layer " + layer + " is not supported (a single layer index is)");
        String strategy = c.path("vision_feature_select_strategy").asText(ov ? "full" : "default");
        if (!strategy.equals("full") && !strategy.equals("default")) {
            throw new ModelFileException(configJson, "vision_feature_select_strategy '" + strategy + "' is not one of: default, full");
        }
        String act = c.path("projector_hidden_act").asText("gelu");
        if (!act.equals("gelu")) throw new ModelFileException(configJson, "projector_hidden_act '" + act + "' is not supported (gelu)");
        List<int[]> pins = new ArrayList<>();
        for (JsonNode p : c.path("image_grid_pinpoints")) pins.add(new int[] {p.path(0).asInt(), p.path(1).asInt()});
        for (int id : new int[] {imageToken, videoToken}) {
            if (id >= text.vocab()) throw new ModelFileException(configJson, "token id " + id + " lies outside the text vocabulary of " + text.vocab());
        }
        return new LlavaConfig(family, configJson, text, vision, imageToken, videoToken, featureLayer, strategy, act,
                c.path("vision_aspect_ratio").asText(ov ? "anyres_max_9" : ""), pins);
    }
}
