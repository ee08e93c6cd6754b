package io.telemetrylake.ingester;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.opentelemetry.sdk.common.export.Compressor;
import java.io.IOException;
import java.io.OutputStream;

/**
 * zstd for the OpenTelemetry Java SDK's OTLP exporters, through the SDK's own {@link Compressor}
 * service interface (found with {@code ServiceLoader}, so {@code setCompression("zstd")} picks it),
 * as opentelemetry-java-contrib's {@code compressor-zstd} does with the same library. The SDK
 * itself ships gzip only.
 */
public final class ZstdSdkCompressor implements Compressor {
  @Override
  public String getEncoding() {
    return "zstd";
  }

  @Override
  public OutputStream compress(OutputStream out) throws IOException {
    return new ZstdOutputStreamNoFinalizer(out);
  }
}
