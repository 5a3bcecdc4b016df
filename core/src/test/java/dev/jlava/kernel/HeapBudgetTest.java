package dev.jlava.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapBudgetTest {
    @Test
    void reservesWithinTheShareOfTheMaximumHeapOnly() {
        long cap = (long) (Runtime.getRuntime().maxMemory() * HeapBudget.SHARE);
        long before = HeapBudget.used();
        assertThat(HeapBudget.reserve(cap + 1)).isFalse();
        assertThat(HeapBudget.used()).isEqualTo(before);
        assertThat(HeapBudget.reserve(1024)).isTrue();
        assertThat(HeapBudget.used()).isGreaterThanOrEqualTo(before + 1024);
        HeapBudget.hold(new Object(), 1024); // released once that object is collected
        long held = HeapBudget.used();
        assertThat(HeapBudget.reserve(512)).isTrue();
        HeapBudget.release(512);
        assertThat(HeapBudget.used()).isLessThanOrEqualTo(held);
    }

    @Test
    void shareIsValidated() {
        assertThat(HeapBudget.share(" 0.25 ")).isEqualTo(0.25);
        assertThat(HeapBudget.share("0")).isZero();
        assertThatThrownBy(() -> HeapBudget.share("0.95")).hasMessageContaining("jlava.heapWeights").hasMessageContaining("'0.95'");
        assertThatThrownBy(() -> HeapBudget.share("half")).hasMessageContaining("'half'");
        assertThatThrownBy(() -> HeapBudget.share("NaN")).hasMessageContaining("'NaN'");
    }
}
