package io.telemetrylake.e2e;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.Pipeline;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The default stack: the devstack's servers and both services as child JVMs on this machine. */
record LocalStack(DevStack devStack) implements E2eStack {

  @Override
  public Map<String, String> catalogProperties() {
    Map<String, String> props = new HashMap<>();
    props.put("uri", devStack.catalogUri().toString());
    props.put("warehouse", devStack.warehouse());
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("s3.endpoint", devStack.s3Endpoint().toString());
    props.put("s3.path-style-access", "true");
    props.put("s3.access-key-id", devStack.s3AccessKey());
    props.put("s3.secret-access-key", devStack.s3SecretKey());
    props.put("client.region", devStack.s3Region());
    return props;
  }

  @Override
  public LocalServices startServices(Map<String, String> settings) {
    return new LocalServices(Pipeline.start(devStack, Pipeline.repoRootFromModule(), settings));
  }

  /** The child processes; {@link #pipeline()} is for tests that kill or add them (FaultsIT). */
  record LocalServices(Pipeline pipeline) implements Services {
    @Override
    public URI ingesterUri() {
      return pipeline.ingesterUri();
    }

    @Override
    public List<URI> appenderUris() {
      return pipeline.appenders().stream().map(Pipeline.Appender::uri).toList();
    }

    @Override
    public String logs() throws IOException {
      StringBuilder all = new StringBuilder(Files.readString(pipeline.ingester().logFile()));
      for (Pipeline.Appender appender : pipeline.appenders()) {
        all.append(Files.readString(appender.server().logFile()));
      }
      return all.toString();
    }

    @Override
    public void close() {
      pipeline.stop();
    }
  }
}
