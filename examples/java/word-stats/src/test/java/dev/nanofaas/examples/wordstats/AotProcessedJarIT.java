package dev.nanofaas.examples.wordstats;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar started with Spring's AOT-processed context on the JVM
 * ({@code -Dspring.aot.enabled=true}), as a native image would run it: a bean that AOT processing
 * missed fails here, without native-image.
 */
class AotProcessedJarIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Process start(Path log, String... env) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(java, "-Dspring.aot.enabled=true", "-jar", System.getProperty("nanofaas.jar"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    for (int i = 0; i < env.length; i += 2) builder.environment().put(env[i], env[i + 1]);
    return builder.start();
  }

  @Test
  void servesInvocationsFromTheAotProcessedContext() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile("aot-jar", ".log");
    Process process = start(log, "PORT", String.valueOf(port), "HOST", "127.0.0.1");
    try {
      String base = "http://127.0.0.1:" + port;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      int health = 0;
      while (health != 200 && System.nanoTime() < deadline && process.isAlive()) {
        try {
          health = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
          Thread.sleep(100);
        }
      }
      assertThat(health).as(Files.readString(log)).isEqualTo(200);
      assertThat(Files.readString(log)).contains("Starting AOT-processed WordStatsApplication");
      HttpResponse<String> answer =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/invoke"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"text\":\"to be or not to be\",\"topN\":2}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("{\"words\":6,\"uniqueWords\":4,\"top\":[{\"word\":\"be\",\"count\":2},{\"word\":\"to\",\"count\":2}]}");
      HttpResponse<String> bad =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/invoke"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"text\":1}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(500);
      assertThat(bad.body()).contains("\"code\":\"INVALID_INPUT\"");
    } finally {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(log);
    }
  }

  @Test
  void runsOneShotFromTheAotProcessedContext() throws Exception {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer callbacks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    callbacks.createContext(
        "/",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    callbacks.start();
    Path log = Files.createTempFile("aot-oneshot", ".log");
    try {
      Process process =
          start(
              log,
              "EXECUTION_ID", "exec-aot",
              "CALLBACK_URL", "http://127.0.0.1:" + callbacks.getAddress().getPort() + "/v1/internal/executions",
              "INVOCATION_PAYLOAD", "{\"input\":\"a a b\"}");
      // Generous: a JVM on a loaded shared machine can take a minute or more to start.
      boolean exited = process.waitFor(300, TimeUnit.SECONDS);
      if (!exited) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertThat(exited).as(Files.readString(log)).isTrue();
      assertThat(process.exitValue()).as(Files.readString(log)).isZero();
      assertThat(bodies)
          .containsExactly("{\"success\":true,\"output\":{\"words\":3,\"uniqueWords\":2,\"top\":[{\"word\":\"a\",\"count\":2},{\"word\":\"b\",\"count\":1}]}}");
    } finally {
      callbacks.stop(0);
      Files.deleteIfExists(log);
    }
  }
}
