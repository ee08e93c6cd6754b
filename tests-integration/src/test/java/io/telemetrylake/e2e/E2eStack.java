package io.telemetrylake.e2e;

import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the end-to-end tests run the pipeline: local child processes ({@link LocalStack}) or
 * container images ({@link ContainerStack}). The tests only see endpoints, so the same suite runs
 * against both.
 */
interface E2eStack {

  /** Properties for the test's own Iceberg REST catalog client, reachable from the test JVM. */
  Map<String, String> catalogProperties();

  /** A REST catalog client's properties for a warehouse on path-style S3, as both stacks have. */
  static Map<String, String> readerProperties(
      URI catalog, String warehouse, URI s3, String accessKey, String secretKey, String region) {
    Map<String, String> props = new HashMap<>();
    props.put("uri", catalog.toString());
    props.put("warehouse", warehouse);
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("s3.endpoint", s3.toString());
    props.put("s3.path-style-access", "true");
    props.put("s3.access-key-id", accessKey);
    props.put("s3.secret-access-key", secretKey);
    props.put("client.region", region);
    return props;
  }

  /**
   * Starts the ingester and one appender with {@code settings} (the services' own environment
   * variables: KAFKA_TOPIC, ICEBERG_TABLE, buffer sizes, ...) on top of the stack's endpoints, and
   * waits until both are ready.
   */
  Services startServices(Map<String, String> settings);

  /** One running ingester and its appender(s); closing stops them (the stack keeps running). */
  interface Services extends AutoCloseable {
    /** Base URI of the ingester ({@code /v1/logs}, {@code /metrics}, ...). */
    URI ingesterUri();

    /** Admin URIs of the appenders, the first one first. */
    List<URI> appenderUris();

    /** Everything the services have logged so far. */
    String logs() throws IOException;

    @Override
    void close();
  }
}
