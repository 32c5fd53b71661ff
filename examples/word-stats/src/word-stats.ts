export interface WordCount {
  readonly word: string;
  readonly count: number;
}

export interface WordStats {
  /** Number of words in the text. */
  readonly words: number;
  /** Number of distinct words (case-insensitive). */
  readonly uniqueWords: number;
  /** The most frequent words, most frequent first, ties in alphabetical order. */
  readonly top: WordCount[];
}

// A word is a run of letters or digits in any script, with inner apostrophes ("don't", "l'uomo").
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** Counts the words of `text`, case-insensitively, and lists the `topN` most frequent. */
export function countWords(text: string, topN: number): WordStats {
  const counts = new Map<string, number>();
  let words = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLocaleLowerCase().replace('’', "'");
    counts.set(word, (counts.get(word) ?? 0) + 1);
    words++;
  }
  const top = [...counts]
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, topN)
    .map(([word, count]) => ({ word, count }));
  return { words, uniqueWords: counts.size, top };
}
