package io.telemetrylake.signal;

import com.google.protobuf.Message;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.Validated;
import io.telemetrylake.record.OtlpShape;
import io.telemetrylake.record.ResourceSplitter;
import io.telemetrylake.table.TableDefinition;

/**
 * One OTLP signal end to end, everything that differs between logs and traces (and metrics next):
 * its HTTP path, request decoding, validation, the shape the per-resource split walks, the Kafka
 * value format, and the table it lands in. The ingester's handler, the Kafka records and the
 * appender's consume/flush/commit cycle are shared; only the appender's staging layout is per
 * signal (it lives with DuckDB, in the appender).
 *
 * @param <Q> the export request, e.g. {@code ExportTraceServiceRequest}
 */
public interface Signal<Q extends Message> {
  /** "logs", "traces": the name in settings ({@code SIGNALS}), /stats and metrics. */
  String name();

  /** Its items in snake_case, for metric names and /stats: "log_records", "spans". */
  String items();

  /** The OTLP/HTTP path, e.g. {@code /v1/logs}. */
  String path();

  String defaultTopic();

  String defaultTable();

  /** The partial-success count's OTLP/JSON name, e.g. {@code rejectedLogRecords}. */
  String rejectedField();

  OtlpShape<Q, ?, ?, ?> shape();

  /** Decodes a request body (decompressed) in either encoding. */
  Q decodeBody(byte[] body, OtlpEncoding encoding) throws OtlpDecodeException;

  /** Decodes a Kafka record value of this signal's topic. */
  Q decodeValue(byte[] value) throws OtlpDecodeException;

  /** Drops the items the lake must not store, counting them. */
  Validated<Q> validate(Q request);

  TableDefinition table();

  default int countItems(Q request) {
    return count(shape(), request);
  }

  default ResourceSplitter<Q, ?, ?, ?> splitter(int maxValueBytes) {
    return splitterOf(shape(), maxValueBytes);
  }

  private static <Q extends Message, R extends Message, S extends Message, I extends Message> int count(
      OtlpShape<Q, R, S, I> shape, Q request) {
    int n = 0;
    for (R resource : shape.resources(request)) {
      for (S scope : shape.scopes(resource)) {
        n += shape.itemCount(scope);
      }
    }
    return n;
  }

  private static <Q extends Message, R extends Message, S extends Message, I extends Message>
      ResourceSplitter<Q, R, S, I> splitterOf(OtlpShape<Q, R, S, I> shape, int maxValueBytes) {
    return new ResourceSplitter<>(shape, maxValueBytes);
  }
}
