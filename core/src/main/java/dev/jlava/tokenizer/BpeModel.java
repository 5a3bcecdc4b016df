package dev.jlava.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE word model: one pre-token (a piece of text) to ids. The piece starts as one symbol per
 * character (Unicode code point); characters that are not tokens become {@code <0xXX>} byte tokens
 * ({@code byteFallback}, SentencePiece) or the unknown token. Then the adjacent pair that the
 * {@link MergeRule} ranks first is merged, repeatedly, until no pair merges.
 */
public final class BpeModel {
    private static final int CACHE_MAX_ENTRIES = 100_000;
    private static final int CACHE_MAX_PIECE = 64;

    private final Vocabulary vocab;
    private final MergeRule rule;
    private final boolean byteFallback;
    private final int unkId;
    private final boolean ignoreMerges;
    private final int[] byteTokens; // <0xXX> ids, -1 where absent; null without byte fallback
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param ignoreMerges a piece that is itself a token is taken whole (Llama 3; HF's ignore_merges)
     * @param unkId        for characters that are not tokens when there is no byte fallback; -1 drops them
     */
    public BpeModel(Vocabulary vocab, MergeRule rule, boolean byteFallback, int unkId, boolean ignoreMerges) {
        this.vocab = vocab;
        this.rule = rule;
        this.byteFallback = byteFallback;
        this.unkId = unkId;
        this.ignoreMerges = ignoreMerges;
        if (byteFallback) {
            byteTokens = new int[256];
            for (int b = 0; b < 256; b++) byteTokens[b] = vocab.id(String.format("<0x%02X>", b));
        } else {
            byteTokens = null;
        }
    }

    /** The ids of one piece. */
    public int[] encode(String piece) {
        IntList out = new IntList(8);
        encode(piece, out);
        return out.toArray();
    }

    void encode(String piece, IntList out) {
        if (piece.isEmpty()) return;
        if (piece.length() <= CACHE_MAX_PIECE) {
            int[] hit = cache.get(piece);
            if (hit == null) {
                IntList tmp = new IntList(8);
                encodeUncached(piece, tmp);
                hit = tmp.toArray();
                if (cache.size() >= CACHE_MAX_ENTRIES) cache.clear();
                cache.put(piece, hit);
            }
            out.addAll(hit);
        } else {
            encodeUncached(piece, out);
        }
    }

    private void encodeUncached(String piece, IntList out) {
        if (ignoreMerges) {
            int whole = vocab.id(piece);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        IntList symbols = new IntList(piece.length());
        for (int i = 0; i < piece.length(); ) {
            int cp = piece.codePointAt(i);
            int n = Character.charCount(cp);
            String ch = piece.substring(i, i + n);
            int id = vocab.id(ch);
            if (id >= 0) {
                symbols.add(id);
            } else if (byteFallback) {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                    int bt = byteTokens[b & 0xff];
                    if (bt >= 0) symbols.add(bt);
                    else if (unkId >= 0) symbols.add(unkId);
                }
            } else if (unkId >= 0) {
                symbols.add(unkId);
            }
            i += n;
        }
        merge(symbols.toArray(), out);
    }

    /** Greedy BPE over a doubly linked symbol list with a heap of candidate pairs (priority, left index). */
    private void merge(int[] id, IntList out) {
        int n = id.length;
        if (n <= 1) {
            out.addAll(id);
            return;
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) push(heap, id, i, i + 1);
        while (!heap.isEmpty()) {
            long e = heap.poll();
            int i = (int) e;
            int j = next[i];
            if (dead[i] || j < 0) continue;
            long m = rule.merge(id[i], id[j]);
            // Stale entry: the pair at i changed since it was queued (a current pair with the same
            // priority is an equally valid pick).
            if (m == MergeRule.NONE || MergeRule.priority(m) != (int) (e >> 32)) continue;
            id[i] = MergeRule.mergedId(m);
            dead[j] = true;
            next[i] = next[j];
            if (next[j] >= 0) prev[next[j]] = i;
            if (prev[i] >= 0) push(heap, id, prev[i], i);
            if (next[i] >= 0) push(heap, id, i, next[i]);
        }
        for (int i = 0; i >= 0; i = next[i]) out.add(id[i]);
    }

    private void push(LongHeap heap, int[] id, int left, int right) {
        long m = rule.merge(id[left], id[right]);
        if (m != MergeRule.NONE) heap.add(((long) MergeRule.priority(m) << 32) | left);
    }

    /** Binary min-heap of longs (priority in the high half, left index in the low half). */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int cap) { a = new long[Math.max(4, cap)]; }

        boolean isEmpty() { return size == 0; }

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) break;
                if (c + 1 < size && a[c + 1] < a[c]) c++;
                if (a[c] >= v) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
