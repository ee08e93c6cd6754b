package io.telemetrylake.samples;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpLogsDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The OpenTelemetry project's OTLP/JSON conformance samples, shared with other modules' tests
 * through this module's test jar. {@code OtlpSamplesTest} checks these lists against the folder.
 */
public final class OtlpSamples {
  public static final List<String> VALID =
      List.of(
          "collector-empty-resource-no-scopes.json",
          "collector-plog-logsJSON.json",
          "collector-plogotlp-logsRequestJSON.json",
          "collector-unknown-top-field.json",
          "events.json",
          "logs.json");
  public static final List<String> INVALID =
      List.of("collector-bad-traceid.json", "collector-resourceLogs-not-array.json");

  private OtlpSamples() {}

  public static List<Sample> valid() {
    return VALID.stream().map(n -> new Sample("valid/" + n)).toList();
  }

  public static List<Sample> invalid() {
    return INVALID.stream().map(n -> new Sample("invalid/" + n)).toList();
  }

  /** One sample file, by its path under {@code otlp-samples/}. */
  public record Sample(String name) {
    public byte[] bytes() {
      try (InputStream in = OtlpSamples.class.getResourceAsStream("/otlp-samples/" + name)) {
        if (in == null) {
          throw new IllegalStateException("missing sample " + name);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The sample decoded by our OTLP/JSON decoder (valid samples only). */
    public ExportLogsServiceRequest decoded() throws OtlpDecodeException {
      return OtlpLogsDecoder.decode(bytes(), OtlpEncoding.JSON);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
