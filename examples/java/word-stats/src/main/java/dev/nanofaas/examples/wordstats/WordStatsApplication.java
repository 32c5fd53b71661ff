package dev.nanofaas.examples.wordstats;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The function's jar: the nanofaas runtime finds {@link WordStatsFunction} in this package. */
@SpringBootApplication
public class WordStatsApplication {
  public static void main(String[] args) {
    SpringApplication.run(WordStatsApplication.class, args);
  }
}
