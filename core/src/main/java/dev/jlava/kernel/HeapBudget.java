package dev.jlava.kernel;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much of the Java heap weights may take: F32 weights copied into heap arrays for decode
 * ({@link WeightResidency#heapCopy}) and the vision tower's packed panels ({@link PackedPanels},
 * via {@link Linears#forGemm}) share {@code -Djlava.heapWeights} (default 0.5) of the maximum
 * heap, so activations keep the rest. A weight that does not fit stays in native memory (or is
 * packed per call), where the same products run a little slower. A reservation is returned when
 * its owner becomes unreachable. (Checking each weight against half of the heap still free, as
 * first done, lets the weights loaded one after another take nearly all of it.)
 */
final class HeapBudget {
    private HeapBudget() {}

    static final double SHARE = share(System.getProperty("jlava.heapWeights", "0.5"));
    private static final AtomicLong USED = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();

    static double share(String v) {
        double s;
        try {
            s = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= 0 && s <= 0.9)) throw new IllegalArgumentException("-Djlava.heapWeights must be a share of the heap from 0 to 0.9, is '" + v + "'");
        return s;
    }

    /** Reserves {@code bytes} if the weights on the heap then stay within the budget; {@link #hold} must follow a true result. */
    static boolean reserve(long bytes) {
        long cap = (long) (Runtime.getRuntime().maxMemory() * SHARE);
        for (long u; (u = USED.get()) + bytes <= cap; ) {
            if (USED.compareAndSet(u, u + bytes)) return true;
        }
        return false;
    }

    /** Gives back a reservation that no owner will hold (its allocation failed). */
    static void release(long bytes) {
        USED.addAndGet(-bytes);
    }

    /** Returns the reservation when {@code owner} (which holds the arrays) becomes unreachable. */
    static void hold(Object owner, long bytes) {
        CLEANER.register(owner, () -> USED.addAndGet(-bytes));
    }

    /** Bytes reserved now (for tests and logs). */
    static long used() {
        return USED.get();
    }
}
