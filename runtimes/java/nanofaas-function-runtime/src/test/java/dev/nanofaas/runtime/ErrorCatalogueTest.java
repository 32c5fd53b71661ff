package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nanofaas.runtime.wire.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The runtime's codes agree with the platform's catalogue as docs/errors.md lists it (a test keeps that table in step with packages/contracts). */
class ErrorCatalogueTest {
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Z_]+)`\\s*\\|\\s*(\\d{3})\\s*\\|\\s*(\\w+)\\s*\\|\\s*(yes|no)\\s*\\|", Pattern.MULTILINE);

  @Test
  void everyCodeHasTheCataloguesStatusOriginAndRetryability() {
    Map<String, String> catalogue = new HashMap<>();
    Matcher row = ROW.matcher(Repository.read("docs/errors.md"));
    while (row.find()) catalogue.put(row.group(1), row.group(2) + " " + row.group(3) + " " + row.group(4));
    assertThat(catalogue).hasSizeGreaterThan(20);
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(catalogue.get(code.name()))
          .as(code.name())
          .isEqualTo(code.status() + " " + code.origin() + " " + (code.retryable() ? "yes" : "no"));
    }
  }
}
