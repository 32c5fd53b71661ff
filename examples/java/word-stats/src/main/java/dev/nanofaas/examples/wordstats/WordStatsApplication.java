package dev.nanofaas.examples.wordstats;

import org.springframework.aot.hint.annotation.RegisterReflectionForBinding;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The function's jar: the nanofaas runtime finds {@link WordStatsFunction} in this package. */
// The records the function returns are serialised by Jackson: a native image needs their reflection hints.
@RegisterReflectionForBinding({WordCounter.WordStats.class, WordCounter.WordCount.class})
@SpringBootApplication
public class WordStatsApplication {
  public static void main(String[] args) {
    SpringApplication.run(WordStatsApplication.class, args);
  }
}
