package dev.jlava.tokenizer;

/**
 * BPE merge ranks keyed by the (left id, right id) pair: an open-addressing hash table of
 * primitive longs, so Qwen2's 151k or Llama 3's 280k merges load without boxing. Rank = position
 * in the merges list; the first occurrence of a pair wins (llama.cpp's bpe_ranks).
 */
public final class MergeTable implements MergeRule {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    public MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    private static long key(int left, int right) { return ((long) left << 32) | (right & 0xffffffffL); }

    private static int hash(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        return (int) k;
    }

    /** Adds the merge unless the pair is already present. Returns false for a duplicate. */
    public boolean add(int left, int right, int rank, int mergedId) {
        if (size * 2 >= keys.length) throw new IllegalStateException("MergeTable sized for fewer merges");
        long k = key(left, right);
        for (int i = hash(k) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == EMPTY) {
                keys[i] = k;
                values[i] = MergeRule.pack(rank, mergedId);
                size++;
                return true;
            }
            if (keys[i] == k) return false;
        }
    }

    public int size() { return size; }

    @Override
    public long merge(int left, int right) {
        long k = key(left, right);
        for (int i = hash(k) & mask; ; i = (i + 1) & mask) {
            long s = keys[i];
            if (s == k) return values[i];
            if (s == EMPTY) return NONE;
        }
    }
}
