/**
 * Tokenizers and chat templates, loaded from the checkpoint's own files, in pure Java.
 *
 * <ul>
 *   <li>{@link dev.jlava.tokenizer.Tokenizers}: {@code fromGguf(Gguf)} ({@code tokenizer.ggml.*}),
 *       {@code fromHfFolder(Path)} ({@code tokenizer.json}, else {@code vocab.json} + {@code merges.txt}),
 *       {@code load(Path)} (either).</li>
 *   <li>{@link dev.jlava.tokenizer.Tokenizer}: encode / decode / streaming decode, BOS/EOS and
 *       end-of-generation ids. One implementation, {@link dev.jlava.tokenizer.BpeTokenizer}: special-token
 *       split, {@link dev.jlava.tokenizer.Normalizer}, {@link dev.jlava.tokenizer.PreTokenizer},
 *       {@link dev.jlava.tokenizer.BpeModel} (merge order from a {@link dev.jlava.tokenizer.MergeRule}:
 *       ranks in a {@link dev.jlava.tokenizer.MergeTable}, or SentencePiece scores).</li>
 *   <li>{@link dev.jlava.tokenizer.ChatTemplate} with {@link dev.jlava.tokenizer.ChatMessage}: the Jinja
 *       chat template rendered like transformers' apply_chat_template (jinjava, see HfJinja).</li>
 * </ul>
 *
 * <p>Reference semantics: Hugging Face tokenizers (tokenizer.json) and llama.cpp's llama-vocab
 * (GGUF); both are checked against llama.cpp's test vectors in ../shared/golden/tokenizer.
 */
package dev.jlava.tokenizer;
