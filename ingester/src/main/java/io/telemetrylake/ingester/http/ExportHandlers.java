package io.telemetrylake.ingester.http;

import io.telemetrylake.ingester.IngesterConfig;
import io.telemetrylake.ingester.kafka.InflightBudget;
import io.telemetrylake.ingester.kafka.RecordProducer;
import io.telemetrylake.ingester.metrics.IngesterMetrics;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One {@link ExportHandler} per signal, sharing the producer, the budget and the body deadline. */
public final class ExportHandlers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExportHandlers.class);

  private final BodyDeadline deadline;
  private final List<ExportHandler<?>> handlers = new ArrayList<>();

  public ExportHandlers(
      IngesterConfig config, RecordProducer producer, InflightBudget budget, IngesterMetrics metrics, Lifecycle lifecycle) {
    this.deadline = new BodyDeadline(config.bodyDeadline());
    long bodyLimit = bodyLimit(config, budget);
    if (bodyLimit < config.maxBodyBytes()) {
      LOG.info("request bodies are limited to {} bytes ({} / {}: the memory a request needs), below {}={}",
          bodyLimit, IngesterConfig.MAX_INFLIGHT_BYTES, ExportHandler.REQUEST_MEMORY_FACTOR,
          IngesterConfig.MAX_BODY_BYTES, config.maxBodyBytes());
    }
    for (Signal<?> signal : Signals.ALL) {
      handlers.add(handler(signal, config, producer, budget, metrics, lifecycle, bodyLimit));
    }
  }

  /** A body whose memory could never fit in the budget is refused for good (413), not retried. */
  static long bodyLimit(IngesterConfig config, InflightBudget budget) {
    return Math.min(config.maxBodyBytes(), budget.maxBytes() / ExportHandler.REQUEST_MEMORY_FACTOR);
  }

  private <Q extends com.google.protobuf.Message> ExportHandler<Q> handler(
      Signal<Q> signal, IngesterConfig config, RecordProducer producer, InflightBudget budget,
      IngesterMetrics metrics, Lifecycle lifecycle, long bodyLimit) {
    return new ExportHandler<>(signal, config, producer, budget, metrics, lifecycle, deadline, bodyLimit);
  }

  public List<ExportHandler<?>> all() {
    return List.copyOf(handlers);
  }

  /** Stops the deadline timer. */
  @Override
  public void close() {
    deadline.close();
  }
}
