package io.telemetrylake.appender.iceberg;

import io.telemetrylake.appender.AppenderConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalog;

/** Builds the Iceberg REST catalog (with S3FileIO) from the appender's settings. */
public final class CatalogFactory {
  static final String CATALOG_NAME = "telemetry-lake";

  private CatalogFactory() {}

  /** Catalog properties: the settings first, then {@code ICEBERG_PROP_*} on top. */
  static Map<String, String> properties(AppenderConfig config) {
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, config.catalogUri().toString());
    props.put(CatalogProperties.WAREHOUSE_LOCATION, config.warehouse());
    props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("client.region", config.s3Region());
    config.s3Endpoint().ifPresent(e -> props.put("s3.endpoint", e.toString()));
    props.put("s3.path-style-access", Boolean.toString(config.s3PathStyleAccess()));
    config.s3AccessKeyId().ifPresent(k -> props.put("s3.access-key-id", k));
    config.s3SecretAccessKey().ifPresent(k -> props.put("s3.secret-access-key", k));
    props.putAll(config.catalogProperties());
    return props;
  }

  public static Catalog create(AppenderConfig config) {
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize(CATALOG_NAME, properties(config));
    return catalog;
  }
}
