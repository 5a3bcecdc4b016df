package dev.jlava.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds special and added tokens written in text, leftmost first and longest at a position (the
 * Hugging Face added-vocabulary matcher; llama.cpp's partition tries longer tokens first). Control
 * tokens are matched only when asked; user-defined tokens always.
 */
final class SpecialTokens {
    /** A matchable token; lstrip/rstrip swallow adjacent whitespace, as HF AddedToken. */
    record Entry(String text, int id, boolean control, boolean lstrip, boolean rstrip) {}

    /** A piece of the input: either text to tokenize (id -1) or one matched token. */
    record Fragment(String text, int id) {
        boolean isToken() { return id >= 0; }
    }

    private final Map<Character, List<Entry>> byFirstChar = new HashMap<>();

    SpecialTokens(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.text().isEmpty()) continue;
            byFirstChar.computeIfAbsent(e.text().charAt(0), k -> new ArrayList<>()).add(e);
        }
        for (List<Entry> l : byFirstChar.values()) l.sort(Comparator.comparingInt((Entry e) -> e.text().length()).reversed());
    }

    boolean isEmpty() { return byFirstChar.isEmpty(); }

    List<Fragment> split(String text, boolean parseControl) {
        List<Fragment> out = new ArrayList<>();
        if (byFirstChar.isEmpty()) {
            if (!text.isEmpty()) out.add(new Fragment(text, -1));
            return out;
        }
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            Entry hit = match(text, i, parseControl);
            if (hit == null) {
                i++;
                continue;
            }
            int end = i;
            if (hit.lstrip()) while (end > textStart && Character.isWhitespace(text.charAt(end - 1))) end--;
            if (end > textStart) out.add(new Fragment(text.substring(textStart, end), -1));
            out.add(new Fragment(hit.text(), hit.id()));
            i += hit.text().length();
            if (hit.rstrip()) while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
            textStart = i;
        }
        if (textStart < text.length()) out.add(new Fragment(text.substring(textStart), -1));
        return out;
    }

    private Entry match(String text, int at, boolean parseControl) {
        List<Entry> cands = byFirstChar.get(text.charAt(at));
        if (cands == null) return null;
        for (Entry e : cands) {
            if ((parseControl || !e.control()) && text.startsWith(e.text(), at)) return e;
        }
        return null;
    }
}
