package io.telemetrylake.devstack.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Entry point of the Iceberg REST catalog child process. Usage: {@code CatalogMain
 * <catalog.properties>}; the file holds the backend catalog's properties plus {@code rest.host} and
 * {@code rest.port}.
 *
 * <p>Same wiring as Iceberg's {@code RESTCatalogServer} test fixture (RESTCatalogAdapter behind
 * RESTCatalogServlet on Jetty), but bound to one host instead of all interfaces and configured from
 * a file instead of {@code CATALOG_*} environment variables. Runs in the child JVM on the catalog's
 * own classpath; the launcher never loads this class.
 */
public final class CatalogMain {

  static final String REST_HOST = "rest.host";
  static final String REST_PORT = "rest.port";

  private CatalogMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CatalogMain <catalog.properties>");
    }
    exitWhenParentDies();

    Map<String, String> properties = load(Path.of(args[0]));
    String host = required(properties, REST_HOST);
    int port = Integer.parseInt(required(properties, REST_PORT));
    properties.remove(REST_HOST);
    properties.remove(REST_PORT);

    // No Hadoop configuration: the catalog uses S3FileIO and JDBC only.
    Catalog backend = CatalogUtil.buildIcebergCatalog("devstack", properties, null);
    RESTCatalogAdapter adapter = new RESTCatalogAdapter(backend);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(new RESTCatalogServlet(adapter)), "/*");

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("Iceberg REST catalog listening on http://" + host + ":" + port);
    server.join();
    adapter.close();
  }

  private static Map<String, String> load(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    }
    Map<String, String> map = new HashMap<>();
    props.stringPropertyNames().forEach(name -> map.put(name, props.getProperty(name)));
    return map;
  }

  private static String required(Map<String, String> properties, String key) {
    String value = properties.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("catalog property " + key + " is missing");
    }
    return value;
  }

  /**
   * The launcher keeps our stdin open for as long as it lives, so end-of-file means it is gone
   * (even after SIGKILL). Exit gracefully, and halt if that hangs.
   */
  private static void exitWhenParentDies() {
    Thread watch =
        new Thread(
            () -> {
              drain(System.in);
              System.err.println("devstack launcher is gone (stdin closed): exiting");
              Thread halt =
                  new Thread(
                      () -> {
                        sleepQuietly(10_000);
                        Runtime.getRuntime().halt(3);
                      },
                      "parent-watch-halt");
              halt.setDaemon(true);
              halt.start();
              System.exit(3);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // nothing is sent on purpose; only end-of-file matters
      }
    } catch (IOException e) {
      // a broken pipe means the same as end-of-file
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
