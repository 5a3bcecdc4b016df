package dev.jlava.llava;

/**
 * Wall time per stage of one request, in nanoseconds: what the time to first token is made of.
 * Video decoding is measured by the caller (it owns the frame source).
 */
public record StageTimes(long videoDecode, long preprocess, long visionTower, long projector, long reduction,
                         long prefill, long decode) {
    /** Time to first token: everything before the first sampled token. */
    public long timeToFirstToken() {
        return videoDecode + preprocess + visionTower + projector + reduction + prefill;
    }

    public StageTimes withVideoDecode(long nanos) {
        return new StageTimes(nanos, preprocess, visionTower, projector, reduction, prefill, decode);
    }
}
