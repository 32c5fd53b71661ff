package dev.nanofaas.runtime.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A valid InvocationRequest: its input (exact tree) and metadata. */
public record DecodedRequest(JsonNode input, Map<String, String> metadata) {}
