package io.telemetrylake.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Response bodies for {@code POST /v1/logs}, {@code /v1/traces} (and the signals after them), in
 * the encoding of the request.
 *
 * <ul>
 *   <li>success: an {@code Export*ServiceResponse}, with {@code partial_success} only when
 *       items were rejected or there is a message (an empty response otherwise, as the
 *       specification asks);
 *   <li>failure: a {@code google.rpc.Status} with {@code code} and {@code message}.
 * </ul>
 *
 * <p>JSON follows the OTLP/JSON mapping: lowerCamelCase names, and 64-bit integers
 * ({@code rejectedLogRecords}, {@code rejectedSpans}) as decimal strings, as the OpenTelemetry
 * Collector writes them.
 */
public final class OtlpResponses {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] EMPTY_JSON_OBJECT = {'{', '}'};

  private OtlpResponses() {}

  /**
   * A success response, partial when {@code rejectedLogRecords > 0} or the message is non-empty.
   *
   * @param errorMessage why records were rejected; null is treated as empty
   */
  public static byte[] success(OtlpEncoding encoding, long rejectedLogRecords, String errorMessage) {
    return success(encoding, "rejectedLogRecords", rejectedLogRecords, errorMessage);
  }

  /**
   * A success response of any signal. Only the OTLP/JSON name of the count differs between
   * signals ({@code rejectedLogRecords}, {@code rejectedSpans}); the protobuf encoding is the same
   * bytes for all of them (partial_success = 1, its count = 1, error_message = 2), so the logs
   * message type encodes every signal's response.
   *
   * @param rejectedField the count's OTLP/JSON name
   */
  public static byte[] success(
      OtlpEncoding encoding, String rejectedField, long rejectedItems, String errorMessage) {
    if (rejectedItems < 0) {
      throw new IllegalArgumentException(
          "the rejected count must not be negative: " + rejectedItems);
    }
    String message = errorMessage == null ? "" : errorMessage;
    boolean partial = rejectedItems > 0 || !message.isEmpty();
    switch (encoding) {
      case PROTOBUF:
        {
          ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
          if (partial) {
            response.setPartialSuccess(
                ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(rejectedItems)
                    .setErrorMessage(message));
          }
          return response.build().toByteArray();
        }
      case JSON:
        if (!partial) {
          return EMPTY_JSON_OBJECT.clone();
        }
        return json(
            g -> {
              g.writeObjectFieldStart("partialSuccess");
              if (rejectedItems > 0) {
                g.writeStringField(rejectedField, Long.toString(rejectedItems));
              }
              if (!message.isEmpty()) {
                g.writeStringField("errorMessage", message);
              }
              g.writeEndObject();
            });
      default:
        throw new IllegalArgumentException("unknown encoding " + encoding);
    }
  }

  /**
   * A failure response: {@code google.rpc.Status}, hand-encoded for protobuf (code = field 1,
   * message = field 2) because the status proto is not on our classpath.
   *
   * @param grpcCode a gRPC status code, e.g. 3 (INVALID_ARGUMENT) for a malformed body
   * @param message for the client; null is treated as empty
   */
  public static byte[] status(OtlpEncoding encoding, int grpcCode, String message) {
    String text = message == null ? "" : message;
    switch (encoding) {
      case PROTOBUF:
        {
          // proto3: fields at their default value are not written.
          int size =
              (grpcCode != 0 ? CodedOutputStream.computeInt32Size(1, grpcCode) : 0)
                  + (text.isEmpty() ? 0 : CodedOutputStream.computeStringSize(2, text));
          byte[] bytes = new byte[size];
          CodedOutputStream out = CodedOutputStream.newInstance(bytes);
          try {
            if (grpcCode != 0) {
              out.writeInt32(1, grpcCode);
            }
            if (!text.isEmpty()) {
              out.writeString(2, text);
            }
            out.checkNoSpaceLeft();
          } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: the array was sized exactly", e);
          }
          return bytes;
        }
      case JSON:
        return json(
            g -> {
              g.writeNumberField("code", grpcCode);
              g.writeStringField("message", text);
            });
      default:
        throw new IllegalArgumentException("unknown encoding " + encoding);
    }
  }

  private interface ObjectBody {
    void write(JsonGenerator generator) throws IOException;
  }

  private static byte[] json(ObjectBody body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: writing to memory", e);
    }
    return out.toByteArray();
  }
}
