package dev.nanofaas.runtime.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.NumericNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A JSON number with a fraction or an exponent, written back exactly as it was read: {@code 7.0}
 * stays {@code 7.0}, {@code 1e400} stays {@code 1e400}, {@code -0.0} stays {@code -0.0} (DESIGN.md
 * §3: data is never re-encoded). Reads like Jackson's DecimalNode (a BigDecimal number).
 */
public final class ExactDecimalNode extends NumericNode {
  private static final long serialVersionUID = 1L;
  private static final BigDecimal MIN_INT = BigDecimal.valueOf(Integer.MIN_VALUE);
  private static final BigDecimal MAX_INT = BigDecimal.valueOf(Integer.MAX_VALUE);
  private static final BigDecimal MIN_LONG = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal MAX_LONG = BigDecimal.valueOf(Long.MAX_VALUE);

  private final BigDecimal value;
  private final String text;

  public ExactDecimalNode(BigDecimal value, String text) {
    this.value = value;
    this.text = text;
  }

  @Override
  public JsonToken asToken() {
    return JsonToken.VALUE_NUMBER_FLOAT;
  }

  @Override
  public JsonParser.NumberType numberType() {
    return JsonParser.NumberType.BIG_DECIMAL;
  }

  @Override
  public boolean isFloatingPointNumber() {
    return true;
  }

  @Override
  public boolean isBigDecimal() {
    return true;
  }

  @Override
  public boolean canConvertToInt() {
    return value.compareTo(MIN_INT) >= 0 && value.compareTo(MAX_INT) <= 0;
  }

  @Override
  public boolean canConvertToLong() {
    return value.compareTo(MIN_LONG) >= 0 && value.compareTo(MAX_LONG) <= 0;
  }

  @Override
  public boolean isNaN() {
    return false;
  }

  @Override
  public Number numberValue() {
    return value;
  }

  @Override
  public short shortValue() {
    return value.shortValue();
  }

  @Override
  public int intValue() {
    return value.intValue();
  }

  @Override
  public long longValue() {
    return value.longValue();
  }

  @Override
  public BigInteger bigIntegerValue() {
    return value.toBigInteger();
  }

  @Override
  public float floatValue() {
    return value.floatValue();
  }

  @Override
  public double doubleValue() {
    return value.doubleValue();
  }

  @Override
  public BigDecimal decimalValue() {
    return value;
  }

  /** The number as it was written. */
  @Override
  public String asText() {
    return text;
  }

  @Override
  public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
    generator.writeNumber(text);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ExactDecimalNode node && node.value.compareTo(value) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(value.doubleValue());
  }
}
