package io.telemetrylake.ingester.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/** The ingester's Prometheus metrics; one instance per process. */
public final class IngesterMetrics {
  private static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Map<Signal<?>, Counter> recordsAccepted = new HashMap<>();
  private final Map<Signal<?>, Counter> recordsRejected = new HashMap<>();
  private final Counter bytesAccepted;
  private final Counter bytesRejected;
  private final Histogram requestSeconds;
  private final Histogram produceSeconds;

  public IngesterMetrics(LongSupplier inflightBytes) {
    requests =
        Counter.builder()
            .name("ingester_requests_total")
            .help("OTLP export requests by signal and HTTP status")
            .labelNames("signal", "status")
            .register(registry);
    for (Signal<?> signal : Signals.ALL) {
      // ingester_log_records_*, ingester_spans_*
      String items = signal.items();
      recordsAccepted.put(signal,
          Counter.builder().name("ingester_" + items + "_accepted_total")
              .help("OTLP " + signal.name() + " items acknowledged by Kafka").register(registry));
      recordsRejected.put(signal,
          Counter.builder()
              .name("ingester_" + items + "_rejected_total")
              .help("OTLP " + signal.name() + " items refused: invalid (partial success) or in refused requests")
              .labelNames("reason")
              .register(registry));
    }
    bytesAccepted =
        Counter.builder().name("ingester_bytes_accepted_total").help("Decoded request bytes acknowledged by Kafka").register(registry);
    bytesRejected =
        Counter.builder().name("ingester_bytes_rejected_total").help("Decoded request bytes of refused requests").register(registry);
    requestSeconds =
        Histogram.builder()
            .name("ingester_request_duration_seconds")
            .help("Time from request start to response, by signal and HTTP status")
            .labelNames("signal", "status")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    produceSeconds =
        Histogram.builder()
            .name("ingester_produce_duration_seconds")
            .help("Time from handing a request's records to Kafka until all are acknowledged")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    GaugeWithCallback.builder()
        .name("ingester_inflight_bytes")
        .help("Bytes reserved by requests: bodies being read and decoded, and records not yet acknowledged by Kafka")
        .callback(cb -> cb.call(inflightBytes.getAsLong()))
        .register(registry);
  }

  public void request(Signal<?> signal, int status, long nanos) {
    String code = Integer.toString(status);
    requests.labelValues(signal.name(), code).inc();
    requestSeconds.labelValues(signal.name(), code).observe(nanos / 1e9);
  }

  public void accepted(Signal<?> signal, int records, long bytes, long produceNanos) {
    recordsAccepted.get(signal).inc(records);
    bytesAccepted.inc(bytes);
    produceSeconds.observe(produceNanos / 1e9);
  }

  public void rejected(Signal<?> signal, String reason, int records, long bytes) {
    if (records > 0) {
      recordsRejected.get(signal).labelValues(reason).inc(records);
    }
    if (bytes > 0) {
      bytesRejected.inc(bytes);
    }
  }

  public void write(OutputStream out) throws IOException {
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
