package dev.jlava.app;

import dev.jlava.io.Gguf;
import dev.jlava.io.ModelFileException;
import dev.jlava.io.Safetensors;
import dev.jlava.io.WeightStore;
import dev.jlava.tensor.Tensor;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints a model file's metadata and tensors (name, dtype, shape). */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print metadata and tensors (name, dtype, shape) of a GGUF file, a safetensors file or a checkpoint folder.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "a .gguf file, a .safetensors file, or a Hugging Face checkpoint folder")
    Path path;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(path)) throw new ModelFileException(path, "no such file or folder");
        if (Files.isRegularFile(path) && !path.toString().endsWith(".safetensors") && !path.toString().endsWith(".json")) {
            try (Gguf g = Gguf.open(path)) {
                System.out.println("GGUF v" + g.version() + ", " + g.metadata().size() + " metadata keys, " + g.tensors().size() + " tensors");
                g.metadata().forEach((k, v) -> System.out.println("  " + k + " = " + show(v)));
                printTensors(g);
            }
            return 0;
        }
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("config.json"))) {
            System.out.println("config.json:");
            System.out.println(Files.readString(path.resolve("config.json")).strip().indent(2).stripTrailing());
        }
        try (WeightStore s = Safetensors.openCheckpoint(path)) {
            System.out.println("safetensors, " + s.names().size() + " tensors");
            printTensors(s);
        }
        return 0;
    }

    private static void printTensors(WeightStore s) {
        for (String n : s.names()) {
            Tensor t = s.get(n);
            System.out.printf("  %-60s %-5s %s%n", n, t.dtype(), Arrays.toString(t.shape()));
        }
    }

    static String show(Object v) {
        if (v == null || !v.getClass().isArray()) return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        int n = Array.getLength(v);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, 8); i++) {
            if (i > 0) b.append(", ");
            Object e = Array.get(v, i);
            b.append(e instanceof String s ? "\"" + s + "\"" : String.valueOf(e));
        }
        if (n > 8) b.append(", ... (").append(n).append(" elements)");
        return b.append("]").toString();
    }
}
