package dev.jlava.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The vision side of a LLaVA-family {@code config.json}: the tower ({@code vision_config}), which
 * hidden states become the image features ({@code vision_feature_layer},
 * {@code vision_feature_select_strategy}) and the projector's activation and bias.
 *
 * <p>{@code hidden_states} has {@code layers + 1} entries: [0] is the encoder's input (SigLIP: patch
 * + position embeddings; CLIP: after {@code pre_layrnorm}), [i] the output of encoder layer i-1,
 * never post-LayerNormed. A negative feature layer counts from the end, as Python indexing does.
 *
 * @param featureLayers {@code vision_feature_layer} as written (one or more hidden_states indices);
 *     several are concatenated along the feature dimension in this order
 */
public record VisionConfig(
        Family family,
        int hidden,
        int intermediate,
        int layers,
        int heads,
        int channels,
        int imageSize,
        int patchSize,
        double layerNormEps,
        Activation activation,
        int[] featureLayers,
        Strategy strategy,
        Activation projectorActivation,
        boolean projectorBias) {

    /** The two tower architectures LLaVA models use. */
    public enum Family {
        /** SigLIP (LLaVA-OneVision, LLaVA-Video): conv with bias, no CLS, no pre-LayerNorm. */
        SIGLIP,
        /** CLIP ViT (LLaVA-1.5, LLaVA-NeXT): conv without bias, CLS token, pre_layrnorm. */
        CLIP
    }

    /** {@code vision_feature_select_strategy}: "default" drops token 0 (CLS for CLIP), "full" keeps all. */
    public enum Strategy { DEFAULT, FULL }

    public VisionConfig {
        if (family == null || activation == null || strategy == null || projectorActivation == null) {
            throw new IllegalArgumentException("vision config enums must not be null");
        }
        if (hidden <= 0 || intermediate <= 0 || layers <= 0 || heads <= 0 || channels <= 0 || imageSize <= 0 || patchSize <= 0) {
            throw new IllegalArgumentException("vision sizes must be positive");
        }
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        if (patchSize > imageSize) throw new IllegalArgumentException("patch_size " + patchSize + " exceeds image_size " + imageSize);
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("layer_norm_eps must be positive");
        featureLayers = featureLayers.clone();
        if (featureLayers.length == 0) throw new IllegalArgumentException("vision_feature_layer must name at least one layer");
        for (int f : featureLayers) {
            if (f < -(layers + 1) || f > layers) {
                throw new IllegalArgumentException("vision_feature_layer " + f + " is outside hidden_states of " + (layers + 1) + " entries");
            }
        }
    }

    @Override
    public int[] featureLayers() { return featureLayers.clone(); }

    public int headDim() { return hidden / heads; }

    /** Patches per side (the conv is "valid": a remainder of the image is ignored, as PyTorch does). */
    public int grid() { return imageSize / patchSize; }

    public int patches() { return grid() * grid(); }

    public boolean hasCls() { return family == Family.CLIP; }

    /** Tokens of the encoder sequence: the patches, plus CLS for CLIP. */
    public int tokens() { return patches() + (hasCls() ? 1 : 0); }

    /** The feature layers as non-negative hidden_states indices (0 = embeddings, i = output of layer i-1). */
    public int[] hiddenStateIndices() {
        int[] r = new int[featureLayers.length];
        for (int i = 0; i < r.length; i++) r[i] = featureLayers[i] < 0 ? featureLayers[i] + layers + 1 : featureLayers[i];
        return r;
    }

    /** Encoder layers that must run: up to the deepest selected hidden state; later layers are never computed. */
    public int layersToRun() {
        int m = 0;
        for (int i : hiddenStateIndices()) m = Math.max(m, i);
        return m;
    }

    /** Tokens per image after the select strategy. */
    public int featureTokens() { return strategy == Strategy.DEFAULT ? tokens() - 1 : tokens(); }

    /** Width of the features handed to the projector (hidden times the number of selected layers). */
    public int featureDim() { return hidden * featureLayers.length; }

    /** The same config with other feature layers (e.g. to inspect another depth). */
    public VisionConfig withFeatureLayers(int... layers) {
        return new VisionConfig(family, hidden, intermediate, this.layers, heads, channels, imageSize, patchSize,
                layerNormEps, activation, layers, strategy, projectorActivation, projectorBias);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VisionConfig c && family == c.family && hidden == c.hidden && intermediate == c.intermediate
                && layers == c.layers && heads == c.heads && channels == c.channels && imageSize == c.imageSize
                && patchSize == c.patchSize && layerNormEps == c.layerNormEps && activation == c.activation
                && Arrays.equals(featureLayers, c.featureLayers) && strategy == c.strategy
                && projectorActivation == c.projectorActivation && projectorBias == c.projectorBias;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(family, hidden, intermediate, layers, heads, channels, imageSize, patchSize,
                layerNormEps, activation, Arrays.hashCode(featureLayers), strategy, projectorActivation, projectorBias);
    }

    @Override
    public String toString() {
        return "VisionConfig[" + family + " hidden " + hidden + ", intermediate " + intermediate + ", " + layers + " layers, "
                + heads + " heads, image " + imageSize + ", patch " + patchSize + ", eps " + layerNormEps + ", " + activation
                + ", feature layers " + Arrays.toString(featureLayers) + " " + strategy + ", projector " + projectorActivation
                + (projectorBias ? " with bias" : " without bias") + "]";
    }

    /** Reads a LLaVA {@code config.json}. */
    public static VisionConfig fromLlavaConfig(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ModelFileException(configJson, "cannot read: " + e.getMessage(), e);
        }
        return fromLlavaConfig(configJson, root);
    }

    /**
     * Reads the vision part of a parsed LLaVA config ({@code llava}, {@code llava_next},
     * {@code llava_next_video}, {@code llava_onevision}). Absent fields take the defaults of the
     * transformers config classes (llava-hf configs omit e.g. {@code hidden_act} and
     * {@code layer_norm_eps} of CLIP): LlavaConfig/LlavaNextConfig feature layer -2, "default";
     * LlavaOnevisionConfig -1, "full", SigLIP tower; CLIPVisionConfig and SiglipVisionConfig sizes.
     */
    public static VisionConfig fromLlavaConfig(Path file, JsonNode root) {
        String top = root.path("model_type").asText("");
        boolean onevision = top.equals("llava_onevision");
        if (!onevision && !top.equals("llava") && !top.equals("llava_next") && !top.equals("llava_next_video")) {
            throw new ModelFileException(file, "model_type '" + top + "' is not a supported LLaVA model "
                    + "(supported: llava, llava_next, llava_next_video, llava_onevision)");
        }
        JsonNode vc = root.get("vision_config");
        if (vc == null || !vc.isObject()) throw new ModelFileException(file, "missing object 'vision_config'");
        Fields v = new Fields(file, vc, "vision_config.");
        String vType = v.string("model_type", onevision ? "siglip_vision_model" : "clip_vision_model");
        Family family = switch (vType) {
            case "siglip_vision_model" -> Family.SIGLIP;
            case "clip_vision_model" -> Family.CLIP;
            default -> throw new ModelFileException(file, "vision_config.model_type '" + vType
                    + "' is not supported (supported: siglip_vision_model, clip_vision_model)");
        };
        boolean siglip = family == Family.SIGLIP;
        int hidden = v.posInt("hidden_size", 768);
        int intermediate = v.posInt("intermediate_size", 3072);
        int layers = v.posInt("num_hidden_layers", 12);
        int heads = v.posInt("num_attention_heads", 12);
        int channels = v.posInt("num_channels", 3);
        int image = v.square("image_size", 224);
        int patch = v.square("patch_size", siglip ? 16 : 32);
        double eps = v.posDouble("layer_norm_eps", siglip ? 1e-6 : 1e-5);
        Activation act = v.activation("hidden_act", siglip ? "gelu_pytorch_tanh" : "quick_gelu");
        if (hidden % heads != 0) {
            throw new ModelFileException(file, "vision_config.hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        if (patch > image) throw new ModelFileException(file, "vision_config.patch_size " + patch + " exceeds image_size " + image);

        Fields t = new Fields(file, root, "");
        int[] featureLayers = t.intOrList("vision_feature_layer", onevision ? -1 : -2);
        for (int f : featureLayers) {
            if (f < -(layers + 1) || f > layers) {
                throw new ModelFileException(file, "vision_feature_layer " + f + " is outside the tower's hidden_states (indices "
                        + -(layers + 1) + " .. " + layers + " for " + layers + " layers)");
            }
        }
        String s = t.string("vision_feature_select_strategy", onevision ? "full" : "default");
        Strategy strategy = switch (s) {
            case "default" -> Strategy.DEFAULT;
            case "full" -> Strategy.FULL;
            default -> throw new ModelFileException(file, "vision_feature_select_strategy '" + s + "' is not supported (supported: default, full)");
        };
        Activation projAct = t.activation("projector_hidden_act", "gelu");
        JsonNode pb = root.get("multimodal_projector_bias");
        if (pb != null && !pb.isNull() && !pb.isBoolean()) throw new ModelFileException(file, "multimodal_projector_bias = " + pb + " must be true or false");
        boolean projBias = pb == null || pb.isNull() || pb.asBoolean();
        return new VisionConfig(family, hidden, intermediate, layers, heads, channels, image, patch, eps, act,
                featureLayers, strategy, projAct, projBias);
    }

    /** Typed access to one JSON object's fields with defaults and messages naming the field. */
    private record Fields(Path file, JsonNode c, String where) {
        boolean present(String key) {
            JsonNode v = c.get(key);
            return v != null && !v.isNull();
        }

        int posInt(String key, int dflt) {
            if (!present(key)) return dflt;
            return posInt(key, c.get(key));
        }

        private int posInt(String key, JsonNode v) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
                throw new ModelFileException(file, "field '" + where + key + "' = " + c.get(key) + " must be a positive integer");
            }
            return v.asInt();
        }

        /** An int, or a [height, width] pair that must be square. */
        int square(String key, int dflt) {
            if (!present(key)) return dflt;
            JsonNode v = c.get(key);
            if (!v.isArray()) return posInt(key, v);
            if (v.size() != 2) throw new ModelFileException(file, "field '" + where + key + "' = " + v + " must be an integer or [height, width]");
            int h = posInt(key, v.get(0)), w = posInt(key, v.get(1));
            if (h != w) throw new ModelFileException(file, "field '" + where + key + "' = " + v + ": only square images/patches are supported");
            return h;
        }

        double posDouble(String key, double dflt) {
            if (!present(key)) return dflt;
            JsonNode v = c.get(key);
            if (!v.isNumber() || !(v.asDouble() > 0)) throw new ModelFileException(file, "field '" + where + key + "' = " + v + " must be a positive number");
            return v.asDouble();
        }

        String string(String key, String dflt) {
            if (!present(key)) return dflt;
            JsonNode v = c.get(key);
            if (!v.isTextual()) throw new ModelFileException(file, "field '" + where + key + "' = " + v + " must be a string");
            return v.asText();
        }

        Activation activation(String key, String dflt) {
            String name = string(key, dflt);
            Activation a = Activation.fromHf(name);
            if (a == null) {
                throw new ModelFileException(file, "field '" + where + key + "' = '" + name
                        + "' is not supported (supported: gelu, gelu_pytorch_tanh, gelu_new, gelu_fast, quick_gelu)");
            }
            return a;
        }

        int[] intOrList(String key, int dflt) {
            if (!present(key)) return new int[] {dflt};
            JsonNode v = c.get(key);
            if (v.isArray()) {
                if (v.isEmpty()) throw new ModelFileException(file, "field '" + where + key + "' is an empty list");
                int[] r = new int[v.size()];
                for (int i = 0; i < r.length; i++) r[i] = integer(key, v.get(i));
                return r;
            }
            return new int[] {integer(key, v)};
        }

        private int integer(String key, JsonNode v) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ModelFileException(file, "field '" + where + key + "' = " + c.get(key) + " must be an integer or a list of integers");
            }
            return v.asInt();
        }
    }
}
