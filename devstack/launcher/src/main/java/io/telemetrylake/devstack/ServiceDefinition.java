package io.telemetrylake.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One of telemetry-lake's own services (ingester, appender) as a child JVM, run from its module's
 * build output: its jar (or {@code target/classes}) plus the runtime classpath the build wrote to
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

  /**
   * The classpath of a module built by Maven (package phase) in this repository: the module's jar
   * first, which lets the service run with a class data sharing archive like the servers (a
   * directory cannot be archived), or {@code target/classes} when a class there is newer than the
   * jar (compiled since the last package).
   */
  static List<Path> moduleClasspath(Path repoRoot, String module) {
    Path target = repoRoot.resolve(module).resolve("target");
    Path file = target.resolve(module + ".classpath");
    if (!Files.isRegularFile(file) || !Files.isDirectory(target.resolve("classes"))) {
      throw new IllegalStateException(
          module + " is not built: " + file + " is missing (run `mvn -DskipTests install -pl " + module + " -am`)");
    }
    List<Path> classpath = new ArrayList<>();
    classpath.add(moduleOutput(target, module));
    try {
      classpath.addAll(RuntimeClasspath.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
    return classpath;
  }

  /**
   * {@code target/<module>-<version>.jar} if it is at least as new as every compiled file, else
   * {@code target/classes}.
   */
  static Path moduleOutput(Path target, String module) {
    Path classes = target.resolve("classes");
    try (Stream<Path> jars = Files.list(target);
        Stream<Path> compiled = Files.walk(classes)) {
      List<Path> candidates =
          jars.filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith(module + "-")
                        && name.endsWith(".jar")
                        && !name.endsWith("-sources.jar")
                        && !name.endsWith("-tests.jar")
                        && !name.endsWith("-javadoc.jar");
                  })
              .toList();
      if (candidates.size() != 1) {
        return classes;
      }
      Path jar = candidates.get(0);
      long jarTime = Files.getLastModifiedTime(jar).toMillis();
      boolean stale =
          compiled
              .filter(Files::isRegularFile)
              .anyMatch(p -> modifiedMillis(p) > jarTime);
      return stale ? classes : jar;
    } catch (IOException e) {
      return classes;
    }
  }

  private static long modifiedMillis(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Every instance of one program shares an archive (the tests start appender-2, appender-3, …):
   * the first graceful stop of a build dumps it, which takes seconds, and later ones map it.
   */
  @Override
  public String sharingName() {
    return mainClass.substring(mainClass.lastIndexOf('.') + 1);
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
