package io.telemetrylake.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link DevStack} per test run (shared by every test class that uses this extension)
 * and stops it when the run ends. Test methods, constructors and {@code @BeforeAll} methods get it
 * as a {@code DevStack} parameter.
 *
 * <p>Data go to a fresh directory: under {@code ./target} when the tests run from a Maven module
 * (kept after the run, so the servers' logs can be read; {@code mvn clean} removes them), else a
 * temporary directory that is deleted afterwards.
 */
public final class DevStackExtension implements BeforeAllCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(DevStackExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    // starting here, not lazily in a test, makes start-up failures fail the class once
    devStack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == DevStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return devStack(context);
  }

  /** The run's stack, started on first use. */
  public static DevStack devStack(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(RunningStack.class, key -> RunningStack.start(), RunningStack.class)
        .stack;
  }

  /** Closed by JUnit when the root context (the whole run) ends. */
  private static final class RunningStack implements ExtensionContext.Store.CloseableResource {
    private final DevStack stack;
    private final Path dir;
    private final boolean deleteAfter;

    private RunningStack(DevStack stack, Path dir, boolean deleteAfter) {
      this.stack = stack;
      this.dir = dir;
      this.deleteAfter = deleteAfter;
    }

    static RunningStack start() {
      Path target = Path.of("target");
      boolean inMavenModule = Files.isDirectory(target);
      Path dir;
      try {
        dir =
            inMavenModule
                ? Files.createTempDirectory(target.toAbsolutePath(), "devstack-")
                : Files.createTempDirectory("telemetry-lake-devstack-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a data directory for the devstack", e);
      }
      DevStack stack = DevStack.start(DevStackConfig.builder(dir).build());
      return new RunningStack(stack, dir, !inMavenModule);
    }

    @Override
    public void close() throws IOException {
      stack.close();
      if (deleteAfter) {
        DataDir.deleteRecursively(dir);
      }
    }
  }
}
