package io.telemetrylake.tools.send;

/**
 * Makes one signal's OTLP export requests for {@code lake send}. An instance is used by one
 * sending thread only.
 *
 * @param <R> the signal's export request, e.g. {@code ExportLogsServiceRequest}
 */
public interface RequestGenerator<R> {
  /**
   * One request of {@code items} records (log records, spans) over at most {@code resources}
   * resources (services), numbered from {@code firstSequence}.
   */
  R request(long firstSequence, int items, int resources, long nowNanos);
}
