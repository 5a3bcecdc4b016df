package dev.jlava.app;

import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import dev.jlava.tokenizer.Tokenizer;
import dev.jlava.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints token ids as llama.cpp's {@code llama-tokenize --ids} does. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text as one JSON array (special tokens parsed, BOS as the model says).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a .gguf file or a Hugging Face folder with tokenizer.json")
    Path model;

    @Option(names = "--text", required = true, description = "the text")
    String text;

    @Override
    public Integer call() {
        Tokenizer t;
        if (!Files.exists(model)) throw new ModelFileException(model, "no such file or folder");
        if (Files.isDirectory(model)) {
            t = Tokenizers.fromHfFolder(model);
        } else {
            try (Gguf g = Gguf.open(model)) {
                t = Tokenizers.fromGguf(g);
            }
        }
        int[] ids = t.encode(text);
        System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]")));
        return 0;
    }
}
