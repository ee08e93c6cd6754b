package io.telemetrylake.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of telemetry-lake's own services (ingester, appender) as a child JVM, run from its module's
 * build output: {@code target/classes} plus the runtime classpath the build wrote to
 * {@code target/<module>.classpath}.
 */
final class ServiceDefinition implements ServerDefinition {
  private final String name;
  private final String mainClass;
  private final int port;
  private final String readyPath;
  private final Map<String, String> env;
  private final List<String> jvmOptions;

  ServiceDefinition(
      String name, String mainClass, int port, String readyPath, Map<String, String> env, List<String> jvmOptions) {
    this.name = name;
    this.mainClass = mainClass;
    this.port = port;
    this.readyPath = readyPath;
    this.env = Map.copyOf(env);
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** The classpath of a module built by Maven (package phase) in this repository. */
  static List<Path> moduleClasspath(Path repoRoot, String module) {
    Path target = repoRoot.resolve(module).resolve("target");
    Path file = target.resolve(module + ".classpath");
    if (!Files.isRegularFile(file) || !Files.isDirectory(target.resolve("classes"))) {
      throw new IllegalStateException(
          module + " is not built: " + file + " is missing (run `mvn -DskipTests install -pl " + module + " -am`)");
    }
    List<Path> classpath = new ArrayList<>();
    classpath.add(target.resolve("classes"));
    try {
      classpath.addAll(RuntimeClasspath.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
    return classpath;
  }

  @Override
  public String name() {
    return name;
  }

  int port() {
    return port;
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
  public ChildSpec prepare() {
    return new ChildSpec(name, jvmOptions, mainClass, List.of(), env);
  }

  @Override
  public void probe() throws Exception {
    int status = Http.send(Http.request(uri().resolve(readyPath)).GET().build()).statusCode();
    if (status != 200) {
      throw new IllegalStateException(readyPath + " answered " + status);
    }
  }
}
