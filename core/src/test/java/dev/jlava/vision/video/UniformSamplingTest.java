package dev.jlava.vision.video;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.SharedData;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class UniformSamplingTest {
    /** Every sample list in ../shared/media/media.json (numpy's linspace over the decoded count). */
    @Test
    void matchesTheMediaReadmeSamples() throws IOException {
        JsonNode videos = new ObjectMapper().readTree(SharedData.media("media.json").toFile()).get("videos");
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = videos.fields(); it.hasNext(); ) {
            JsonNode v = it.next().getValue();
            JsonNode s = v.has("samples") ? v.get("samples") : v.get("segments").get("samples");
            int[] expected = new int[s.size()];
            for (int i = 0; i < expected.length; i++) expected[i] = s.get(i).asInt();
            assertThat(UniformSampling.indices(v.get("nb_frames_decoded").asInt(), expected.length)).containsExactly(expected);
            checked++;
        }
        assertThat(checked).isEqualTo(14);
    }

    @Test
    void matchesTheOneVisionGoldenEightFrames() {
        assertThat(UniformSampling.indices(288, 8)).containsExactly(0, 41, 82, 123, 164, 205, 246, 287);
    }

    @Test
    void degenerateCases() {
        assertThat(UniformSampling.indices(1, 4)).containsExactly(0, 0, 0, 0);
        assertThat(UniformSampling.indices(50, 1)).containsExactly(0);
        assertThat(UniformSampling.indices(2, 2)).containsExactly(0, 1);
    }

    @Property(tries = 200)
    void indicesAreSortedInRangeAndSpanTheVideo(@ForAll @IntRange(min = 1, max = 100_000) int total, @ForAll @IntRange(min = 2, max = 256) int n) {
        int[] idx = UniformSampling.indices(total, n);
        assertThat(idx).hasSize(n);
        assertThat(idx[0]).isZero();
        assertThat(idx[n - 1]).isEqualTo(total - 1);
        for (int i = 1; i < n; i++) {
            assertThat(idx[i]).isGreaterThanOrEqualTo(idx[i - 1]);
            // each index is the floor of i * (total - 1) / (n - 1), up to one ulp of rounding
            long exactFloor = (long) i * (total - 1) / (n - 1);
            assertThat((long) idx[i]).isBetween(exactFloor - 1, exactFloor);
        }
        if (total >= n) for (int i = 1; i < n; i++) assertThat(idx[i]).isGreaterThan(idx[i - 1]);
    }
}
