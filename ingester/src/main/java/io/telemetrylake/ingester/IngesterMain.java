package io.telemetrylake.ingester;

import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: configuration from the environment, start, and a graceful stop on SIGTERM. */
public final class IngesterMain {
  private static final Logger LOG = LoggerFactory.getLogger(IngesterMain.class);

  private IngesterMain() {}

  public static void main(String[] args) {
    IngesterConfig config;
    try {
      config = IngesterConfig.from(Settings.fromEnvironment());
    } catch (ConfigException e) {
      LOG.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Ingester ingester;
    try {
      ingester = Ingester.start(config);
    } catch (RuntimeException e) {
      LOG.error("could not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(ingester::close, "ingester-shutdown"));
  }
}
