package io.telemetrylake.ingester.kafka;

import io.telemetrylake.ingester.IngesterConfig;
import io.telemetrylake.topic.TopicDescriptions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows whether Kafka answers and every signal's topic exists, checked in the background so that probes
 * never wait on the broker. Creates a topic when it is missing (and creation is allowed), so an
 * ingester started before its broker becomes ready by itself once the broker is up.
 */
public final class KafkaReadiness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaReadiness.class);

  private final Admin admin;
  private final IngesterConfig config;
  private final List<String> topics;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "kafka-readiness");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean ready;
  private volatile String lastProblem = "not checked yet";
  private volatile KafkaSetup.NotDurableTopicException refusal;

  public KafkaReadiness(Admin admin, IngesterConfig config) {
    this.admin = admin;
    this.config = config;
    this.topics = config.topics();
  }

  public void start(long periodMs) {
    scheduler.scheduleWithFixedDelay(this::check, 0, periodMs, TimeUnit.MILLISECONDS);
  }

  /** One check now, on the caller's thread (also what the background schedule runs). */
  public void check() {
    boolean nowReady;
    String problem = null;
    try {
      nowReady = true;
      for (String topic : topics) {
        if (!ready) {
          KafkaSetup.ensureTopic(admin, config, topic, 5_000);
        }
        if (TopicDescriptions.describe(admin, topic, 3_000).isEmpty()) {
          nowReady = false;
          problem = "topic " + topic + " does not exist";
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (IllegalStateException e) {
      nowReady = false;
      problem = e.getMessage();
      if (e instanceof KafkaSetup.NotDurableTopicException notDurable) {
        refusal = notDurable;
      }
    } catch (Exception e) {
      nowReady = false;
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      problem = "Kafka does not answer: " + cause.getClass().getSimpleName();
    }
    if (nowReady != ready) {
      if (nowReady) {
        LOG.info("Kafka is reachable and topics {} exist: ready", topics);
      } else {
        LOG.warn("not ready: {}", problem);
      }
    }
    lastProblem = problem;
    ready = nowReady;
  }

  /** Set once a check found the topic not durable while durability is required. */
  public Optional<KafkaSetup.NotDurableTopicException> refusal() {
    return Optional.ofNullable(refusal);
  }

  public boolean isReady() {
    return ready;
  }

  /** Why the last check failed, or null when it passed. */
  public String problem() {
    return lastProblem;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
