package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.AppenderConfig;
import io.telemetrylake.appender.iceberg.CatalogFactory;
import io.telemetrylake.appender.status.LogRedaction;
import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lake maintain}, the Helm CronJob and the image's maintenance command: one run (exit 0, or
 * 1 when a step failed), or with {@code --every} a run after each pause until stopped. The report
 * goes to stdout (text, or JSON with {@code --json}); logs go to stderr. The catalog, table and S3
 * settings are the appender's.
 */
public final class MaintainMain {
  private MaintainMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "maintain-logback.xml");
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(MaintenanceOptions.USAGE);
      return;
    }
    MaintenanceOptions options;
    AppenderConfig config;
    CompactionHooks hooks;
    try {
      Settings env = Settings.fromEnvironment();
      options = MaintenanceOptions.parse(List.of(args), env);
      config = AppenderConfig.from(env);
      hooks = CompactionHooks.fromEnvironment(System.getenv());
    } catch (MaintenanceOptions.UsageException e) {
      System.err.println("lake maintain: " + e.getMessage());
      System.exit(2);
      return;
    } catch (ConfigException e) {
      System.err.println("lake maintain: bad setting " + e.getMessage());
      System.exit(2);
      return;
    }
    Logger log = LoggerFactory.getLogger(MaintainMain.class);
    Catalog catalog = CatalogFactory.create(config);
    // every signal's table of SIGNALS, one after the other
    List<TableIdentifier> ids = config.signals().stream()
        .map(signal -> TableIdentifier.of(Namespace.of(config.namespaceLevels()), config.forSignal(signal).table()))
        .toList();
    MaintenanceRun run = new MaintenanceRun(options, Clock.systemUTC(), hooks);
    int code;
    if (options.every().isEmpty()) {
      code = once(catalog, ids, run, options, log) ? 0 : 1;
    } else {
      loop(catalog, ids, run, options, log, config.bindAddress());
      code = 0;
    }
    if (catalog instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        log.debug("closing the catalog: {}", e.toString());
      }
    }
    System.exit(code);
  }

  /** @return false when a step failed on any table */
  private static boolean once(Catalog catalog, List<TableIdentifier> ids, MaintenanceRun run,
      MaintenanceOptions options, Logger log) {
    boolean ok = true;
    for (TableIdentifier id : ids) {
      ok &= once(catalog, id, run, options, log);
    }
    return ok;
  }

  private static boolean once(Catalog catalog, TableIdentifier id, MaintenanceRun run,
      MaintenanceOptions options, Logger log) {
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      log.info("table {} does not exist yet: nothing to maintain", id);
      return true;
    } catch (RuntimeException e) {
      log.error("cannot load table {}: {}", id, LogRedaction.redact(String.valueOf(e.getMessage())));
      return false;
    }
    MaintenanceReport report = run.run(table, options);
    System.out.print(options.json() ? report.toJson() + "\n" : report.toText());
    System.out.flush();
    return !report.failed();
  }

  private static void loop(Catalog catalog, List<TableIdentifier> ids, MaintenanceRun run,
      MaintenanceOptions options, Logger log, String host) throws InterruptedException {
    Duration every = options.every().orElseThrow();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "maintenance-stop"));
    try (MaintenanceHealth health = new MaintenanceHealth(Clock.systemUTC(),
        Duration.ofHours(1).plus(every))) {
      if (options.healthPort() > 0) {
        health.serve(host, options.healthPort());
      }
      log.info("maintaining {} every {}", ids, DurationText.format(every));
      do {
        health.started();
        boolean ok;
        try {
          ok = once(catalog, ids, run, options, log);
        } catch (RuntimeException e) {
          log.error("maintenance run failed: {}", LogRedaction.redact(String.valueOf(e.getMessage())));
          ok = false;
        }
        health.finished(ok, ok ? "ok" : "failed");
        if (!health.healthy()) {
          log.error("{} maintenance runs in a row failed", MaintenanceHealth.MAX_FAILURES_IN_A_ROW);
        }
      } while (!stop.await(every.toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}
