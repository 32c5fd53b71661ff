package dev.nanofaas.runtime;

import dev.nanofaas.testapps.behaviours.BehavioursApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The behaviours application in a JVM of its own, as the watchdog or a Job would start it. */
public final class RuntimeProcess implements AutoCloseable {
  private final Process process;
  private final Path stderr;

  private RuntimeProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
  }

  public static RuntimeProcess start(Map<String, String> env) throws IOException {
    Path stderr = Files.createTempFile("nanofaas-runtime", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BehavioursApplication.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(key -> key.equals("PORT") || key.equals("CALLBACK_URL") || key.equals("INVOCATION_PAYLOAD"));
    builder.environment().putAll(env);
    return new RuntimeProcess(builder.start(), stderr);
  }

  public Process process() {
    return process;
  }

  /** Waits for the exit status. */
  public int waitFor(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the runtime did not exit within " + limit + "; its log:\n" + log());
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Polls GET /health until 200. */
  public void awaitHealthy(int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new AssertionError("the runtime exited with " + process.exitValue() + ":\n" + log());
      try {
        if (Http.get("http://127.0.0.1:" + port + "/health").status() == 200) return;
      } catch (AssertionError notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the runtime was not healthy within " + limit + ":\n" + log());
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(stderr);
    } catch (InterruptedException | IOException e) {
      Thread.currentThread().interrupt();
    }
  }
}
