package io.telemetrylake.e2e;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.Pipeline;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/** The default stack: the devstack's servers and both services as child JVMs on this machine. */
record LocalStack(DevStack devStack) implements E2eStack {

  @Override
  public Map<String, String> catalogProperties() {
    return E2eStack.readerProperties(devStack.catalogUri(), devStack.warehouse(),
        devStack.s3Endpoint(), devStack.s3AccessKey(), devStack.s3SecretKey(), devStack.s3Region());
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
