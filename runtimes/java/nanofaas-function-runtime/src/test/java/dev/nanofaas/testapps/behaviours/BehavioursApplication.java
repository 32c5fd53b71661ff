package dev.nanofaas.testapps.behaviours;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A function application whose handler's behaviour the tests choose through the input. */
@SpringBootApplication
public class BehavioursApplication {
  public static void main(String[] args) {
    SpringApplication.run(BehavioursApplication.class, args);
  }
}
