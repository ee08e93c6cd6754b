package io.telemetrylake.benchmarks;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.tools.send.LogGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The payloads every benchmark uses: the requests {@code lake send} makes (its {@link
 * LogGenerator}, 500 records of ~300 bytes per request over 2 resources of 8 services), and the
 * Kafka records the ingester makes of them.
 */
public final class Payloads {
  /** Records per OTLP request, as {@code lake send --batch} defaults to. */
  public static final int RECORDS_PER_REQUEST = 500;
  /** Resources (services) per request, as {@code lake send --resources} defaults to. */
  public static final int RESOURCES_PER_REQUEST = 2;
  /** Log records per Kafka record: the ingester writes one Kafka record per resource. */
  public static final int RECORDS_PER_KAFKA_RECORD = RECORDS_PER_REQUEST / RESOURCES_PER_REQUEST;
  public static final int SERVICES = 8;
  /** The ingester's default INGESTER_MAX_RECORD_BYTES. */
  public static final int MAX_VALUE_BYTES = 1_000_000;

  private Payloads() {}

  /**
   * The same requests as {@code lake send --pool count --run-id runId} builds (only the timestamps
   * differ): same generator, same seed, same sequence numbers.
   */
  public static List<ExportLogsServiceRequest> requests(String runId, int count) {
    LogGenerator generator = new LogGenerator(runId, SERVICES, runId.hashCode());
    long now = System.currentTimeMillis() * 1_000_000L;
    List<ExportLogsServiceRequest> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(generator.request((long) i * RECORDS_PER_REQUEST, RECORDS_PER_REQUEST, RESOURCES_PER_REQUEST, now));
    }
    return out;
  }

  /** The Kafka record values of {@link #requests}: what an appender consumes for them. */
  public static List<byte[]> kafkaValues(String runId, int requests) {
    List<byte[]> values = new ArrayList<>();
    for (ExportLogsServiceRequest r : requests(runId, requests)) {
      for (KafkaRecord k : kafkaRecords(r.toByteArray())) {
        values.add(k.value());
      }
    }
    return values;
  }

  /** What the ingester produces for one logs request body: decode, validate, split. */
  public static List<KafkaRecord> kafkaRecords(byte[] protobufBody) {
    return kafkaRecords(Signals.LOGS, protobufBody);
  }

  /** What the ingester produces for one request body of {@code signal}: decode, validate, split. */
  public static <Q extends Message> List<KafkaRecord> kafkaRecords(Signal<Q> signal, byte[] protobufBody) {
    try {
      Q request = signal.decodeBody(protobufBody, OtlpEncoding.PROTOBUF);
      return signal.splitter(MAX_VALUE_BYTES).split(signal.validate(request).request()).records();
    } catch (OtlpDecodeException e) {
      throw new IllegalStateException("generated request does not decode", e);
    }
  }

  public static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
