package dev.jlava.llm;

import dev.jlava.kernel.HeapAlignment;
import java.util.Arrays;

/**
 * Per-layer key/value cache. Each layer holds its own entries (rows of kvDim keys and values
 * plus the RoPE position each entry was computed at), so token-reduction stages may keep fewer
 * entries in later layers (FastV, PVTP, HoliTom inner) or evict entries while decoding (ST^3 VTA)
 * without the decoder knowing why. Entries stay in sequence order; positions strictly increase.
 */
public final class KvCache {
    /**
     * One layer's entries, row-major [len][kvDim], entry 0 at {@link #keyOffset()} and
     * {@link #valueOffset()}: the arrays carry up to 15 spare floats so the rows can start on a
     * 64-byte line (decode attention reads every row with 512-bit loads, and a load across two
     * lines costs two; {@link HeapAlignment}). An array that a collection moves keeps its offset
     * and only loses the alignment.
     */
    public static final class Layer {
        private final int kvDim;
        private float[] k, v;
        private int kBase, vBase;
        private int[] pos;
        private int len;

        Layer(int kvDim, int capacity) {
            this.kvDim = kvDim;
            this.pos = new int[capacity];
            resize(capacity);
        }

        /** New key and value arrays for {@code capacity} entries, entry 0 on a line, holding the current entries. */
        private void resize(int capacity) {
            int floats = capacity * kvDim + HeapAlignment.LINE / Float.BYTES - 1;
            float[] nk = new float[floats], nv = new float[floats];
            int nkBase = HeapAlignment.floatPad(nk), nvBase = HeapAlignment.floatPad(nv);
            if (len > 0) {
                System.arraycopy(k, kBase, nk, nkBase, len * kvDim);
                System.arraycopy(v, vBase, nv, nvBase, len * kvDim);
            }
            k = nk;
            v = nv;
            kBase = nkBase;
            vBase = nvBase;
        }

        public int length() { return len; }

        /** The keys' array; entry i's key is at {@code keyOffset() + i * kvDim}. */
        public float[] keys() { return k; }

        /** The values' array; entry i's value is at {@code valueOffset() + i * kvDim}. */
        public float[] values() { return v; }

        public int keyOffset() { return kBase; }

        public int valueOffset() { return vBase; }

        /** RoPE position of entry i. */
        public int position(int i) { return pos[i]; }

        public int[] positions() { return Arrays.copyOf(pos, len); }

        void ensure(int extra) {
            int need = len + extra;
            if (need <= pos.length) return;
            int cap = Math.max(need, pos.length + pos.length / 2 + 16);
            resize(cap);
            pos = Arrays.copyOf(pos, cap);
        }

        /** Appends n rows taken from kSrc/vSrc (row-major [n][kvDim]) at the given positions. */
        void append(float[] kSrc, float[] vSrc, int n, int[] positions, int posOff) {
            ensure(n);
            System.arraycopy(kSrc, 0, k, kBase + len * kvDim, n * kvDim);
            System.arraycopy(vSrc, 0, v, vBase + len * kvDim, n * kvDim);
            System.arraycopy(positions, posOff, pos, len, n);
            len += n;
        }

        /** Keeps only the entries whose indices are listed (strictly increasing); the rest are gone for good. */
        public void retain(int[] keep) {
            int prev = -1;
            for (int idx : keep) {
                if (idx <= prev || idx >= len) throw new IllegalArgumentException("keep indices must be increasing and < " + len + ": " + Arrays.toString(keep));
                prev = idx;
            }
            // one copy per run of consecutive kept entries (VTA drops a few entries per step from
            // thousands: copying entry by entry was ~16 % of ST^3's decode time on the demo model)
            int w = 0;
            for (int i = 0; i < keep.length; ) {
                int start = keep[i], run = 1;
                while (i + run < keep.length && keep[i + run] == start + run) run++;
                if (start != w) {
                    System.arraycopy(k, kBase + start * kvDim, k, kBase + w * kvDim, run * kvDim);
                    System.arraycopy(v, vBase + start * kvDim, v, vBase + w * kvDim, run * kvDim);
                    System.arraycopy(pos, start, pos, w, run);
                }
                w += run;
                i += run;
            }
            len = w;
        }

        /** Drops everything from entry {@code newLen} on (e.g. to return to a shared prefix). */
        public void truncate(int newLen) {
            if (newLen < 0 || newLen > len) throw new IllegalArgumentException("truncate to " + newLen + " of " + len);
            len = newLen;
        }

        Layer copy() {
            Layer c = new Layer(kvDim, Math.max(len, 1));
            System.arraycopy(k, kBase, c.k, c.kBase, len * kvDim);
            System.arraycopy(v, vBase, c.v, c.vBase, len * kvDim);
            System.arraycopy(pos, 0, c.pos, 0, len);
            c.len = len;
            return c;
        }
    }

    private final Layer[] layers;
    private final int kvDim;

    public KvCache(int layers, int kvDim, int initialCapacity) {
        this.kvDim = kvDim;
        this.layers = new Layer[layers];
        for (int i = 0; i < layers; i++) this.layers[i] = new Layer(kvDim, initialCapacity);
    }

    private KvCache(Layer[] layers, int kvDim) {
        this.layers = layers;
        this.kvDim = kvDim;
    }

    public Layer layer(int l) { return layers[l]; }

    public int layerCount() { return layers.length; }

    public int kvDim() { return kvDim; }

    /** Bytes the cached keys and values occupy (float32), per layer. */
    public long[] bytesPerLayer() {
        long[] b = new long[layers.length];
        for (int i = 0; i < layers.length; i++) b[i] = 2L * layers[i].len * kvDim * Float.BYTES;
        return b;
    }

    public long bytes() {
        long s = 0;
        for (long b : bytesPerLayer()) s += b;
        return s;
    }

    /** A deep copy: the prefix of one video can serve several questions. */
    public KvCache copy() {
        Layer[] c = new Layer[layers.length];
        for (int i = 0; i < layers.length; i++) c[i] = layers[i].copy();
        return new KvCache(c, kvDim);
    }
}
