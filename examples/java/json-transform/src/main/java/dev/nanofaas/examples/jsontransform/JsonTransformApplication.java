package dev.nanofaas.examples.jsontransform;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The function's jar: the nanofaas runtime finds {@link JsonTransformFunction} in this package. */
@SpringBootApplication
public class JsonTransformApplication {
  public static void main(String[] args) {
    SpringApplication.run(JsonTransformApplication.class, args);
  }
}
