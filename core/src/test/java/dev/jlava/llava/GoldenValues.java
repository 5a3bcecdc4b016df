package dev.jlava.llava;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/** Small readers and comparisons shared by the LLaVA golden tests. */
final class GoldenValues {
    private GoldenValues() {}

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** Max absolute difference of two arrays of equal length. */
    static double maxDiff(float[] a, float[] b) {
        assertThat(a.length).isEqualTo(b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
