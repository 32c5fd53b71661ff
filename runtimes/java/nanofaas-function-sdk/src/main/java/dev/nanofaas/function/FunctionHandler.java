package dev.nanofaas.function;

/**
 * A nanofaas function. The runtime calls {@link #handle} once per invocation, on a thread of its own,
 * and answers with whatever it returns:
 *
 * <ul>
 *   <li>any value Jackson can serialise (a record, a {@code Map}, a {@code String}, a {@code JsonNode}
 *       — the input or part of it is sent back byte for byte) becomes the JSON body;
 *   <li>{@code null} becomes {@code null};
 *   <li>a {@code byte[]} is sent as is with {@code Content-Type: application/octet-stream}.
 * </ul>
 *
 * Throw a {@link FunctionException} to report an error with a code of your own (status 500, origin
 * "function"); anything else thrown becomes {@code UNHANDLED_ERROR} with its message (the stack trace
 * goes to the log only). At the deadline the thread is interrupted and the caller gets 408 TIMEOUT.
 *
 * <p>Annotate the class with {@link NanofaasFunction} so that the runtime finds it, or list it in
 * {@code META-INF/services/dev.nanofaas.function.FunctionHandler}.
 */
@FunctionalInterface
public interface FunctionHandler {
  Object handle(InvocationRequest request) throws Exception;
}
