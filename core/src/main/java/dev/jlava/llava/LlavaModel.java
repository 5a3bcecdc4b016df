package dev.jlava.llava;

import dev.jlava.llm.Decoder;
import dev.jlava.tokenizer.ChatTemplate;
import dev.jlava.tokenizer.Tokenizer;
import dev.jlava.tokenizer.Tokenizers;
import dev.jlava.vision.LlavaVision;
import dev.jlava.vision.image.ImagePreprocessor;
import dev.jlava.vision.image.ImageProcessorConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything one LLaVA model needs to answer a question about a video or image: vision tower +
 * projector, decoder, the checkpoint's tokenizer and chat template, its image processors and the
 * OneVision {@code image_newline}. Built from a Hugging Face folder or from parts (random models).
 */
public final class LlavaModel implements AutoCloseable {
    private final LlavaConfig config;
    private final LlavaVision vision;
    private final Decoder decoder;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final ImagePreprocessor imageProcessor;
    private final ImagePreprocessor videoProcessor;
    private final float[] imageNewline;
    private final AutoCloseable resources;

    public LlavaModel(LlavaConfig config, LlavaVision vision, Decoder decoder, Tokenizer tokenizer, ChatTemplate chatTemplate,
                      ImagePreprocessor imageProcessor, ImagePreprocessor videoProcessor, float[] imageNewline, AutoCloseable resources) {
        this.config = config;
        this.vision = vision;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.imageProcessor = imageProcessor;
        this.videoProcessor = videoProcessor;
        this.imageNewline = imageNewline;
        this.resources = resources;
    }

    /** Opens a llava-hf checkpoint folder (LLaVA-1.5 or LLaVA-OneVision). */
    public static LlavaModel open(Path dir) {
        return open(dir, dir);
    }

    /** Opens a checkpoint whose tokenizer files live in another folder (e.g. a re-saved model). */
    public static LlavaModel open(Path dir, Path tokenizerDir) {
        LlavaCheckpoint ck = LlavaCheckpoint.open(dir);
        try {
            LlavaVision vision = LlavaVision.load(dir.resolve("config.json"), ck.store());
            Tokenizer tok = Tokenizers.fromHfFolder(tokenizerDir);
            ChatTemplate tmpl = ChatTemplate.fromHfFolder(dir).orElseGet(() -> ChatTemplate.forHfFolder(tokenizerDir));
            Path pre = dir.resolve("preprocessor_config.json");
            boolean ov = ck.config().family() == LlavaConfig.Family.LLAVA_ONEVISION;
            ImagePreprocessor image = Files.isRegularFile(pre) ? ImagePreprocessor.fromConfig(pre)
                    : new ImagePreprocessor(ov ? ImageProcessorConfig.siglip384() : ImageProcessorConfig.clip336());
            Path vpre = dir.resolve("video_preprocessor_config.json");
            ImagePreprocessor video = Files.isRegularFile(vpre) ? ImagePreprocessor.fromConfig(vpre)
                    : new ImagePreprocessor(ov ? ImageProcessorConfig.siglip384() : image.config());
            float[] newline = ck.imageNewline();
            if (ov && newline == null) {
                throw new dev.jlava.io.ModelFileException(dir, "LLaVA-OneVision checkpoint without 'image_newline'");
            }
            return new LlavaModel(ck.config(), vision, ck.decoder(), tok, tmpl, image, video, newline, ck);
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }

    public LlavaConfig config() { return config; }

    public LlavaVision vision() { return vision; }

    public Decoder decoder() { return decoder; }

    public Tokenizer tokenizer() { return tokenizer; }

    public ChatTemplate chatTemplate() { return chatTemplate; }

    public ImagePreprocessor imageProcessor() { return imageProcessor; }

    public ImagePreprocessor videoProcessor() { return videoProcessor; }

    public float[] imageNewline() { return imageNewline; }

    public boolean isOneVision() { return config.family() == LlavaConfig.Family.LLAVA_ONEVISION; }

    @Override
    public void close() {
        if (resources == null) return;
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
