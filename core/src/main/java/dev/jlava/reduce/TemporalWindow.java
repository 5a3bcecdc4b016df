package dev.jlava.reduce;

/** A run of consecutive frames {@code [start, end]} (inclusive) that HoliTom treats as one segment. */
public record TemporalWindow(int start, int end) {
    public TemporalWindow {
        if (start < 0 || end < start) throw new IllegalArgumentException("window [" + start + ", " + end + "] is not a frame interval");
    }

    public int length() {
        return end - start + 1;
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + "]";
    }
}
