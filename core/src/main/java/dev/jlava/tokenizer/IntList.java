package dev.jlava.tokenizer;

import java.util.Arrays;

/** Growable int array for building id sequences without boxing. */
final class IntList {
    private int[] a;
    private int size;

    IntList(int cap) { a = new int[Math.max(4, cap)]; }

    void add(int v) {
        if (size == a.length) a = Arrays.copyOf(a, size * 2);
        a[size++] = v;
    }

    void addAll(int[] vs) {
        if (size + vs.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, size + vs.length));
        System.arraycopy(vs, 0, a, size, vs.length);
        size += vs.length;
    }

    int size() { return size; }

    int[] toArray() { return Arrays.copyOf(a, size); }
}
