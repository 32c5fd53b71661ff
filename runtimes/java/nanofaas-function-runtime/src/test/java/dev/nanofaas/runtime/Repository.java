package dev.nanofaas.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository the tests read as they are: the contract fixtures, docs/errors.md. */
public final class Repository {
  private Repository() {}

  public static Path root() {
    String configured = System.getProperty("nanofaas.repository");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("packages/contracts/fixtures"))) return dir;
    }
    throw new IllegalStateException("the repository root (with packages/contracts/fixtures) was not found from " + start);
  }

  public static JsonNode fixture(String name) {
    try {
      return new ObjectMapper().readTree(root().resolve("packages/contracts/fixtures").resolve(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String read(String relative) {
    try {
      return Files.readString(root().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
