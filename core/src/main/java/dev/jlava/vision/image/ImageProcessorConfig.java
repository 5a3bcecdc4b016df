package dev.jlava.vision.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The settings of a Hugging Face image processor, read from {@code preprocessor_config.json}
 * (CLIPImageProcessor for LLaVA-1.5, SiglipImageProcessor, LlavaOnevisionImageProcessor and its
 * video twin). Missing keys take the processor class's defaults.
 *
 * @param processorType   {@code image_processor_type} (or {@code video_processor_type})
 * @param resize          {@code do_resize}
 * @param shortestEdge    {@code size.shortest_edge}, or 0 when the size is an exact height x width
 * @param height          {@code size.height} (0 with shortest_edge)
 * @param width           {@code size.width} (0 with shortest_edge)
 * @param centerCrop      {@code do_center_crop}
 * @param cropHeight      {@code crop_size.height}
 * @param cropWidth       {@code crop_size.width}
 * @param rescale         {@code do_rescale}
 * @param rescaleFactor   {@code rescale_factor} (1/255)
 * @param normalize       {@code do_normalize}
 * @param mean            {@code image_mean}, per channel
 * @param std             {@code image_std}, per channel
 * @param gridPinpoints   {@code image_grid_pinpoints} as (height, width) pairs, empty when absent
 * @param pad             {@code do_pad}
 */
public record ImageProcessorConfig(
        String processorType,
        boolean resize, int shortestEdge, int height, int width,
        boolean centerCrop, int cropHeight, int cropWidth,
        boolean rescale, double rescaleFactor,
        boolean normalize, double[] mean, double[] std,
        int[][] gridPinpoints, boolean pad) {

    /** PIL's resample id for BICUBIC, the only filter these models use. */
    public static final int PIL_BICUBIC = 3;

    /** OpenAI CLIP mean/std (CLIPImageProcessor's defaults). */
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    /** The LLaVA-1.5 (llava-hf) CLIP processor: shortest edge 336, center crop 336. */
    public static ImageProcessorConfig clip336() {
        return new ImageProcessorConfig("CLIPImageProcessor", true, 336, 0, 0, true, 336, 336,
                true, 1.0 / 255.0, true, CLIP_MEAN.clone(), CLIP_STD.clone(), new int[0][], false);
    }

    /** The SigLIP / LLaVA-OneVision video processor: squash to 384 x 384, mean = std = 0.5. */
    public static ImageProcessorConfig siglip384() {
        return new ImageProcessorConfig("SiglipImageProcessor", true, 0, 384, 384, false, 0, 0,
                true, 1.0 / 255.0, true, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5}, new int[0][], false);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code preprocessor_config.json} (or {@code video_preprocessor_config.json}). */
    public static ImageProcessorConfig read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot read image processor config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelFileException(file, "not a JSON object");
        return parse(root, file);
    }

    static ImageProcessorConfig parse(JsonNode root, Path file) {
        String type = text(root, "image_processor_type", text(root, "video_processor_type", ""));
        boolean clip = type.startsWith("CLIP");
        int resample = integer(root, "resample", PIL_BICUBIC, file);
        if (resample != PIL_BICUBIC) {
            throw new ModelFileException(file, "resample = " + resample + " is not supported (only 3 = PIL BICUBIC)");
        }
        int shortest = 0, h = 0, w = 0;
        JsonNode size = root.get("size");
        if (size == null || size.isNull()) {
            if (clip) shortest = 224;
            else { h = 384; w = 384; }
        } else if (size.isInt()) {
            // legacy integer size: CLIP reads it as the shortest edge, the square processors as a side
            if (clip) shortest = size.asInt();
            else { h = size.asInt(); w = size.asInt(); }
        } else if (size.isObject()) {
            if (size.has("shortest_edge")) {
                shortest = integer(size, "shortest_edge", 0, file);
                if (size.has("longest_edge")) throw new ModelFileException(file, "size.longest_edge is not supported");
            } else if (size.has("height") && size.has("width")) {
                h = integer(size, "height", 0, file);
                w = integer(size, "width", 0, file);
            } else {
                throw new ModelFileException(file, "size " + size + " has neither shortest_edge nor height and width");
            }
        } else {
            throw new ModelFileException(file, "size " + size + " is neither a number nor an object");
        }
        if (shortest < 0 || h < 0 || w < 0 || (shortest == 0 && (h == 0 || w == 0))) {
            throw new ModelFileException(file, "size " + size + " must be positive");
        }
        boolean crop = bool(root, "do_center_crop", clip);
        int ch = 0, cw = 0;
        JsonNode cs = root.get("crop_size");
        if (cs != null && cs.isInt()) { ch = cs.asInt(); cw = ch; }
        else if (cs != null && cs.isObject()) { ch = integer(cs, "height", 0, file); cw = integer(cs, "width", 0, file); }
        else if (crop) { ch = 224; cw = 224; }
        if (crop && (ch <= 0 || cw <= 0)) throw new ModelFileException(file, "crop_size " + cs + " must be positive");
        double factor = number(root, "rescale_factor", 1.0 / 255.0, file);
        double[] mean = triple(root, "image_mean", clip ? CLIP_MEAN : new double[] {0.5, 0.5, 0.5}, file);
        double[] std = triple(root, "image_std", clip ? CLIP_STD : new double[] {0.5, 0.5, 0.5}, file);
        for (double s : std) if (s == 0) throw new ModelFileException(file, "image_std has a zero entry");
        int[][] pins = new int[0][];
        JsonNode gp = root.get("image_grid_pinpoints");
        if (gp != null && !gp.isNull()) {
            if (!gp.isArray()) throw new ModelFileException(file, "image_grid_pinpoints is not a list");
            pins = new int[gp.size()][];
            for (int i = 0; i < gp.size(); i++) {
                JsonNode p = gp.get(i);
                if (!p.isArray() || p.size() != 2 || !p.get(0).isInt() || !p.get(1).isInt() || p.get(0).asInt() <= 0 || p.get(1).asInt() <= 0) {
                    throw new ModelFileException(file, "image_grid_pinpoints[" + i + "] = " + p + " is not a [height, width] pair");
                }
                pins[i] = new int[] {p.get(0).asInt(), p.get(1).asInt()};
            }
        }
        return new ImageProcessorConfig(type, bool(root, "do_resize", true), shortest, h, w, crop, ch, cw,
                bool(root, "do_rescale", true), factor, bool(root, "do_normalize", true), mean, std, pins,
                bool(root, "do_pad", false));
    }

    private static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        return v != null && v.isTextual() ? v.asText() : dflt;
    }

    private static boolean bool(JsonNode n, String key, boolean dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asBoolean(dflt);
    }

    private static int integer(JsonNode n, String key, int dflt, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber()) throw new ModelFileException(file, key + " = " + v + " is not an integer");
        return v.asInt();
    }

    private static double number(JsonNode n, String key, double dflt, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new ModelFileException(file, key + " = " + v + " is not a number");
        return v.asDouble();
    }

    private static double[] triple(JsonNode n, String key, double[] dflt, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt.clone();
        if (v.isNumber()) return new double[] {v.asDouble(), v.asDouble(), v.asDouble()};
        if (!v.isArray() || v.size() != 3) throw new ModelFileException(file, key + " = " + v + " is not a list of 3 numbers");
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) throw new ModelFileException(file, key + " = " + v + " is not a list of 3 numbers");
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    /** True when the LLaVA-OneVision/NeXT anyres tiling applies (grid pinpoints given). */
    public boolean anyRes() { return gridPinpoints.length > 0; }

    @Override
    public String toString() {
        return processorType + "[" + (shortestEdge > 0 ? "shortest_edge " + shortestEdge : height + "x" + width)
                + (centerCrop ? ", crop " + cropHeight + "x" + cropWidth : "") + ", mean " + Arrays.toString(mean)
                + ", std " + Arrays.toString(std) + (anyRes() ? ", " + gridPinpoints.length + " pinpoints" : "") + "]";
    }
}
