package dev.nanofaas.examples.wordstats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Counts the words of a text, case-insensitively, and lists the most frequent (examples/word-stats/src/word-stats.ts). */
public final class WordCounter {
  /** A word: a run of letters or digits in any script, with inner apostrophes ("don't", "l'uomo"). */
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:['’][\\p{L}\\p{N}]+)*");

  public record WordCount(String word, int count) {}

  /** @param top the most frequent words, most frequent first, ties in alphabetical (UTF-16) order */
  public record WordStats(int words, int uniqueWords, List<WordCount> top) {}

  private WordCounter() {}

  public static WordStats count(String text, int topN) {
    Map<String, Integer> counts = new HashMap<>();
    int words = 0;
    Matcher matcher = WORD.matcher(text);
    while (matcher.find()) {
      // Like the TypeScript example: lower case, and the first typographic apostrophe made plain.
      String word = matcher.group().toLowerCase(Locale.ROOT).replaceFirst("’", "'");
      counts.merge(word, 1, Integer::sum);
      words++;
    }
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : b.getValue() - a.getValue());
    List<WordCount> top = new ArrayList<>(Math.min(topN, entries.size()));
    for (int i = 0; i < entries.size() && i < topN; i++) top.add(new WordCount(entries.get(i).getKey(), entries.get(i).getValue()));
    return new WordStats(words, counts.size(), top);
  }
}
