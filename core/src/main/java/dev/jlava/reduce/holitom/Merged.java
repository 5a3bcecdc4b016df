package dev.jlava.reduce.holitom;

import dev.jlava.reduce.TokenKind;

/**
 * The output of one HoliTom spatial merge: rows, their grid positions, their kinds, and for each
 * row the input indices it stands for (into the list that was merged).
 */
public record Merged(float[][] tokens, int[] pos, TokenKind[] kinds, int[][] members) {
    static final Merged EMPTY = new Merged(new float[0][], new int[0], new TokenKind[0], new int[0][]);

    public int size() {
        return tokens.length;
    }
}
