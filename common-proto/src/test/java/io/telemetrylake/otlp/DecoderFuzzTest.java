package io.telemetrylake.otlp;

import io.telemetrylake.signal.Signals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.record.ResourceSplitter;
import io.telemetrylake.samples.FuzzInputs;
import io.telemetrylake.table.LogRowMapper;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Hostile bodies through the whole decode path the services use. Every input must either decode
 * or fail with {@link OtlpDecodeException}; whatever decodes must also survive validation,
 * splitting, the Kafka round trip and row mapping (the appender gets what the ingester accepts).
 *
 * <p>A fixed budget runs in CI; run longer with {@code -Dfuzz.iterations=200000 -Dfuzz.seed=N}.
 */
class DecoderFuzzTest {
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 3_000);
  private static final long SEED = Long.getLong("fuzz.seed", 20261122L);
  private static final long LIMIT = 8L * 1024 * 1024;

  @Test
  void everyHostileInputDecodesOrFailsCleanly() {
    Map<String, Integer> outcomes = new TreeMap<>();
    FuzzInputs inputs = new FuzzInputs(SEED);
    assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
      for (int i = 0; i < ITERATIONS; i++) {
        FuzzInputs.Input input = inputs.next();
        String outcome;
        try {
          byte[] body = RequestBodies.read(new ByteArrayInputStream(input.body()), input.contentEncoding(), LIMIT);
          ExportLogsServiceRequest request = OtlpLogsDecoder.decode(body, input.encoding());
          downstream(request);
          outcome = "decoded";
        } catch (OtlpDecodeException e) {
          assertThat(e.getMessage()).as("message of %s", input).isNotBlank();
          outcome = e.reason().name();
        } catch (Throwable t) {
          throw new AssertionError("input #" + i + " " + input + " failed with " + t, t);
        }
        outcomes.merge(input.kind() + " -> " + outcome, 1, Integer::sum);
      }
    });
    // Both sides of the boundary must have been exercised, or the fuzzer is not fuzzing.
    assertThat(outcomes.keySet()).anyMatch(k -> k.endsWith("decoded")).anyMatch(k -> k.endsWith("MALFORMED"))
        .anyMatch(k -> k.endsWith("TOO_LARGE"));
  }

  private static void downstream(ExportLogsServiceRequest request) throws OtlpDecodeException {
    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);
    ResourceSplitter.Split split = Signals.LOGS.splitter(1_000_000).split(validated.request());
    for (KafkaRecord record : split.records()) {
      LogRowMapper.forEachRow(KafkaRecordFormat.decodeValue(record.value()), 0L, row -> {});
    }
  }
}
