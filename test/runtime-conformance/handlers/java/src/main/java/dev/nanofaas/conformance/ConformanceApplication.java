package dev.nanofaas.conformance;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class ConformanceApplication {
  public static void main(String[] args) {
    SpringApplication.run(ConformanceApplication.class, args);
  }
}
