package dev.nanofaas.bench.echo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** GET /health, and POST /invoke answers the request body as it came: the least a Spring Boot function can do. */
@SpringBootApplication
@RestController
public class BareEchoApplication {
  public static void main(String[] args) {
    SpringApplication.run(BareEchoApplication.class, args);
  }

  @GetMapping(value = "/health", produces = MediaType.APPLICATION_JSON_VALUE)
  public String health() {
    return "{\"status\":\"ok\"}";
  }

  @PostMapping(value = "/invoke", produces = MediaType.APPLICATION_JSON_VALUE)
  public byte[] invoke(@RequestBody byte[] body) {
    return body;
  }
}
