package dev.nanofaas.runtime.web;

import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Every answer the servlet container or Spring MVC produces on its own (unknown path, wrong method,
 * a request it cannot read) in the platform's error shape instead of Spring's.
 */
@Controller
@RequestMapping("/error")
public final class RuntimeErrorController implements ErrorController {
  private final RuntimeState state;
  private final ErrorWriter errors;

  public RuntimeErrorController(RuntimeState state, ErrorWriter errors) {
    this.state = state;
    this.errors = errors;
  }

  @RequestMapping
  public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = statusAttribute instanceof Integer code ? code : 404;
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String path = uri == null ? request.getRequestURI() : uri.toString();
    String method = request.getMethod();
    ErrorAnswer answer =
        switch (status) {
          case 404 -> ErrorAnswer.of(ErrorCode.ROUTE_NOT_FOUND, "no route for " + method + " " + path);
          case 405 -> {
            String allow = response.getHeader("Allow");
            yield ErrorAnswer.of(
                ErrorCode.METHOD_NOT_ALLOWED,
                method + " is not allowed here" + (allow == null ? "" : "; use " + allow));
          }
          case 413 -> ErrorAnswer.of(ErrorCode.PAYLOAD_TOO_LARGE, "the request is over the configured limit");
          case 415 -> ErrorAnswer.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the Content-Type is not one this route accepts");
          case 400 -> ErrorAnswer.of(ErrorCode.VALIDATION_FAILED, "the request could not be read");
          default -> ErrorAnswer.of(ErrorCode.INTERNAL_ERROR, "the runtime failed to answer (status " + status + ")");
        };
    errors.write(response, answer, state.draining());
  }
}
