package dev.jlava.llava;

/** Progress of long stages (frames encoded, prefill); the CLI decides whether to show it. */
@FunctionalInterface
public interface Progress {
    void update(String stage, long done, long total);

    Progress NONE = (s, d, t) -> { };
}
