package dev.jlava.reduce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import dev.jlava.io.Safetensors;
import dev.jlava.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One golden case: a {@code NAME.safetensors} + {@code NAME.json} pair read in place from ../shared/golden. */
public final class GoldenCase implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final String name;
    public final JsonNode json;
    private final Safetensors st;

    private GoldenCase(String name, JsonNode json, Safetensors st) {
        this.name = name;
        this.json = json;
        this.st = st;
    }

    public static GoldenCase open(String folder, String name) {
        Path dir = SharedData.golden(folder);
        try {
            JsonNode j = JSON.readTree(dir.resolve(name + ".json").toFile());
            return new GoldenCase(name, j, Safetensors.open(dir.resolve(name + ".safetensors")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The case names of {@code folder/index.json} whose group starts with {@code groupPrefix}. */
    public static List<String> casesOf(String folder, String groupPrefix) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : readJson(SharedData.golden(folder).resolve("index.json")).get("cases")) {
            if (c.get("group").asText().startsWith(groupPrefix)) out.add(c.get("case").asText());
        }
        return out;
    }

    public JsonNode params() { return json.get("params"); }

    public JsonNode outputs() { return json.get("outputs"); }

    public boolean has(String tensor) { return st.has(tensor); }

    public Tensor tensor(String n) { return st.get(n); }

    public long[] shape(String n) { return st.get(n).shape(); }

    public float[] floats(String n) { return st.get(n).toFloatArray(); }

    public int[] ints(String n) { return st.get(n).toIntArray(); }

    /** The tensor viewed as [rows][last dim] (leading dims flattened). */
    public float[][] matrix(String n) {
        Tensor t = st.get(n);
        int cols = (int) t.cols(), rows = leadingRows(t);
        float[] all = t.toFloatArray();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) System.arraycopy(all, r * cols, out[r], 0, cols);
        return out;
    }

    private static int leadingRows(Tensor t) {
        long r = 1;
        for (int i = 0; i < t.rank() - 1; i++) r *= t.dim(i);
        return (int) r;
    }

    public int[][] intMatrix(String n) {
        Tensor t = st.get(n);
        int cols = (int) t.cols(), rows = leadingRows(t);
        int[] all = t.toIntArray();
        int[][] out = new int[rows][cols];
        for (int r = 0; r < rows; r++) System.arraycopy(all, r * cols, out[r], 0, cols);
        return out;
    }

    /** The tensor viewed as [d0][d1][last] (a rank-3 tensor). */
    public float[][][] cube(String n) {
        Tensor t = st.get(n);
        long[] s = t.shape();
        if (s.length != 3) throw new IllegalArgumentException(n + " has rank " + s.length);
        int a = (int) s[0], b = (int) s[1], c = (int) s[2];
        float[] all = t.toFloatArray();
        float[][][] out = new float[a][b][c];
        for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) System.arraycopy(all, (i * b + j) * c, out[i][j], 0, c);
        return out;
    }

    public static int[] intsOf(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }

    @Override
    public void close() {
        st.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
