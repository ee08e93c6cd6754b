package io.telemetrylake.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Iceberg's REST catalog adapter over a JDBC (sqlite) catalog whose files live in s3proxy. */
final class CatalogDefinition implements ServerDefinition {

  static final String MAIN_CLASS = "io.telemetrylake.devstack.catalog.CatalogMain";

  private final Path home;
  private final Path runDir;
  private final int port;
  private final URI s3Endpoint;
  private final String accessKey;
  private final String secretKey;
  private final String region;
  private final String warehouse;

  CatalogDefinition(
      Path home,
      Path runDir,
      int port,
      URI s3Endpoint,
      String accessKey,
      String secretKey,
      String region,
      String warehouse) {
    this.home = home;
    this.runDir = runDir;
    this.port = port;
    this.s3Endpoint = s3Endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
    this.warehouse = warehouse;
  }

  @Override
  public String name() {
    return "catalog";
  }

  URI uri() {
    return URI.create("http://" + Ports.HOST + ":" + port);
  }

  @Override
  public String address() {
    return uri().toString();
  }

  @Override
  public List<Integer> ports() {
    return List.of(port);
  }

  @Override
  public ChildSpec prepare() throws IOException {
    Files.createDirectories(home);
    Files.createDirectories(runDir);
    Path file = runDir.resolve("catalog.properties");
    StringBuilder text = new StringBuilder("# written by the devstack launcher on every start\n");
    properties()
        .forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "/")).append('\n'));
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return new ChildSpec(
        name(),
        List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            // the AWS SDK looks for a region before reading the catalog's client.region
            "-Daws.region=" + region),
        MAIN_CLASS,
        List.of(file.toString()));
  }

  Map<String, String> properties() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("rest.host", Ports.HOST);
    props.put("rest.port", Integer.toString(port));
    props.put("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
    props.put("uri", "jdbc:sqlite:" + home.resolve("catalog.db"));
    // the schema version Iceberg's own REST fixture uses
    props.put("jdbc.schema-version", "V1");
    props.put("warehouse", warehouse);
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("s3.endpoint", s3Endpoint.toString());
    props.put("s3.path-style-access", "true");
    props.put("s3.access-key-id", accessKey);
    props.put("s3.secret-access-key", secretKey);
    props.put("client.region", region);
    return props;
  }

  @Override
  public void probe() throws Exception {
    HttpResponse<String> response =
        Http.send(Http.request(uri().resolve("/v1/config")).GET().build());
    if (response.statusCode() != 200) {
      throw new IOException("GET /v1/config answered " + response.statusCode());
    }
  }
}
