package dev.jlava.vision.image;

/** Pixel statistics between two images of the same size. */
record ImageDiff(int maxAbs, long differing, double meanAbs) {
    static ImageDiff of(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new AssertionError("sizes differ: " + a + " vs " + b);
        }
        byte[] x = a.pixels(), y = b.pixels();
        int max = 0;
        long n = 0, sum = 0;
        for (int i = 0; i < x.length; i++) {
            int d = Math.abs((x[i] & 0xff) - (y[i] & 0xff));
            if (d > 0) n++;
            sum += d;
            max = Math.max(max, d);
        }
        return new ImageDiff(max, n, (double) sum / x.length);
    }
}
