package dev.nanofaas.examples.jsontransform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nanofaas.function.FunctionException;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.InvocationRequest;
import dev.nanofaas.function.NanofaasFunction;
import java.util.Iterator;

/**
 * json-transform: applies declared operations to a JSON document and returns the new document — the
 * same function as the TypeScript example (examples/json-transform).
 *
 * <pre>
 * {"document": {"user": {"name": "ada"}, "id": 7},
 *  "operations": [{"op": "rename", "from": "user.name", "to": "name"},
 *                 {"op": "uppercase", "fields": ["name"]},
 *                 {"op": "pick", "fields": ["id", "name"]}]}
 * → {"id": 7, "name": "ADA"}
 * </pre>
 *
 * Errors (function errors, status 500): INVALID_INPUT, INVALID_OPERATION (the declaration is wrong),
 * FIELD_NOT_FOUND, FIELD_EXISTS, NOT_A_STRING, NOT_AN_OBJECT (the document does not fit it). Values
 * the operations do not touch keep their exact JSON (7.0 stays 7.0).
 */
@NanofaasFunction(name = "json-transform")
public class JsonTransformFunction implements FunctionHandler {
  @Override
  public Object handle(InvocationRequest request) {
    JsonNode input = request.input();
    if (!input.isObject()) {
      throw new FunctionException("INVALID_INPUT", "input must be an object {\"document\": {...}, \"operations\": [...]}");
    }
    for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("document") && !name.equals("operations")) {
        throw new FunctionException(
            "INVALID_INPUT", "field \"" + name + "\": is not a known field (expected \"document\" and \"operations\")");
      }
    }
    JsonNode document = input.get("document");
    if (document == null || !document.isObject()) {
      throw new FunctionException("INVALID_INPUT", "field \"document\": must be a JSON object");
    }
    return Transformer.apply((ObjectNode) document, Operation.parseAll(input.get("operations")));
  }
}
