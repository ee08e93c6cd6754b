package io.telemetrylake.ingester;

import io.javalin.Javalin;
import io.telemetrylake.ingester.http.ExportHandlers;
import io.telemetrylake.ingester.http.IngesterApp;
import io.telemetrylake.ingester.http.Lifecycle;
import io.telemetrylake.ingester.kafka.InflightBudget;
import io.telemetrylake.ingester.kafka.KafkaReadiness;
import io.telemetrylake.ingester.kafka.KafkaSetup;
import io.telemetrylake.ingester.kafka.Partitioning;
import io.telemetrylake.ingester.kafka.RecordProducer;
import io.telemetrylake.ingester.metrics.IngesterMetrics;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running ingester: owns the HTTP server, the producer and the readiness checks. */
public final class Ingester implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Ingester.class);

  private final IngesterConfig config;
  private final Admin admin;
  private final RecordProducer producer;
  private final KafkaReadiness readiness;
  private final Lifecycle lifecycle = new Lifecycle();
  private final ExportHandlers handlers;
  private final Javalin app;
  private boolean closed;

  private Ingester(IngesterConfig config) {
    this.config = config;
    this.admin = Admin.create(KafkaSetup.adminProperties(config));
    this.producer = new RecordProducer(
        new KafkaProducer<>(KafkaSetup.producerProperties(config)),
        new Partitioning(config.partitioning(), ThreadLocalRandom.current().nextInt()));
    this.readiness = new KafkaReadiness(admin, config);
    InflightBudget budget = new InflightBudget(config.maxInflightBytes());
    IngesterMetrics metrics = new IngesterMetrics(budget::inflightBytes);
    this.handlers = new ExportHandlers(config, producer, budget, metrics, lifecycle);
    this.app =
        IngesterApp.create(
            handlers.all(),
            readiness,
            lifecycle,
            metrics,
            config.metricsAuth() ? config.authTokens() : List.of(),
            config.retryAfterSeconds(),
            config.shutdownTimeout().toMillis() + 1_000,
            config.maxThreads());
  }

  public static Ingester start(IngesterConfig config) {
    Ingester ingester = new Ingester(config);
    if (config.requireDurableTopic()) {
      // a topic known not to be durable stops start-up; if Kafka does not answer yet, readiness
      // keeps the ingester not ready until the check passes
      ingester.readiness.check();
      if (ingester.readiness.refusal().isPresent()) {
        ingester.closeClients();
        throw ingester.readiness.refusal().get();
      }
    }
    ingester.readiness.start(5_000);
    ingester.app.start(config.host(), config.port());
    for (Connector connector : ingester.app.jettyServer().server().getConnectors()) {
      if (connector instanceof ServerConnector server) {
        // Bounds slow clients that trickle their body.
        server.setIdleTimeout(config.readTimeout().toMillis());
      }
    }
    LOG.info("ingester listening on {}:{} ({})", config.host(), ingester.port(), config);
    return ingester;
  }

  public int port() {
    return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  public boolean isReady() {
    return readiness.isReady() && !lifecycle.draining();
  }

  /**
   * Graceful stop: readiness goes false and new requests get 503, requests in progress finish
   * (acknowledged or refused), then the producer is flushed and closed.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      boolean drained = lifecycle.drain(config.shutdownTimeout());
      if (!drained) {
        LOG.warn("{} requests still in progress after {}; stopping anyway", lifecycle.activeRequests(), config.shutdownTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    app.stop();
    handlers.close();
    producer.flush();
    closeClients();
    LOG.info("ingester stopped");
  }

  private void closeClients() {
    producer.close();
    readiness.close();
    admin.close();
  }
}
