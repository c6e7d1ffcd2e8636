"""Dictionary words by forward maximum matching: word features at a fraction of jieba's cost.

jieba's cut (even with HMM off) builds a DAG of every dictionary word at every position
and solves a best path over it, all in Python: on the tipdm messages (~290 characters)
that is ~1,700 messages per CPU-second, too slow for the 2,000 messages/s routing budget
once the character n-grams are added. Greedy longest match over the same dictionary
(jieba's, with the knowledge base's user words and synonyms) looks up at most three
slices per position and runs ~8,000 messages per CPU-second. It cuts worse than jieba
at ambiguous boundaries, but the classifier does not need a linguistically right cut,
only stable topical units next to the character n-grams: 3-fold CV macro-F1 on the
tipdm train split 0.9095 vs 0.9102 with jieba words (character 1-2-grams + words, C=1).

Only words of 2..`max_len` characters are emitted; single characters are already
covered by the character n-grams, so they would only add collisions and time.
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_WORD_LEN = 4


def dictionary_words(text: str, freq: Mapping[str, int], max_len: int = MAX_WORD_LEN) -> list[str]:
    """Greedy longest dictionary words of `text` (2..`max_len` characters), left to right.

    `freq` is jieba's prefix dictionary: every word with its frequency and every prefix
    of a word with frequency 0. The prefixes let the walk stop as soon as no longer
    word can follow, and skip a position after one lookup when no word starts there.
    """
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        end = i + 2
        frag = text[i:end]
        if frag not in freq:
            i += 1
            continue
        best = end if freq[frag] else 0
        while end < n and end - i < max_len:
            end += 1
            found = freq.get(text[i:end])
            if found is None:
                break
            if found:
                best = end
        if best:
            out.append(text[i:best])
            i = best
        else:
            i += 1
    return out
