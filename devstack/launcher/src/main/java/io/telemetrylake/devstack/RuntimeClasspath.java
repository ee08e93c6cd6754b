package io.telemetrylake.devstack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The classpath of one server's child JVM: the runtime module's own jar (or classes directory) plus
 * the entries its build wrote to {@code telemetry-lake/devstack/<name>.classpath}.
 */
final class RuntimeClasspath {

  static final String RESOURCE_DIR = "telemetry-lake/devstack/";

  private RuntimeClasspath() {}

  /** Finds the resource of the runtime module {@code name} and returns the full classpath. */
  static List<Path> of(String name, ClassLoader loader) {
    String resource = RESOURCE_DIR + name + ".classpath";
    URL url = loader.getResource(resource);
    if (url == null) {
      throw new IllegalStateException(
          "resource "
              + resource
              + " not found: the devstack-"
              + name
              + " jar is missing from the classpath (build it with"
              + " `mvn install -pl devstack/launcher -am`)");
    }
    String content;
    try (InputStream in = url.openStream()) {
      content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + url, e);
    }
    List<Path> classpath = new ArrayList<>();
    classpath.add(moduleRoot(url, resource));
    classpath.addAll(parse(content));
    for (Path entry : classpath) {
      if (!Files.exists(entry)) {
        throw new IllegalStateException(
            "classpath of "
                + name
                + " lists "
                + entry
                + ", which does not exist (local Maven repository cleaned? rebuild with"
                + " `mvn install -pl devstack/launcher -am`)");
      }
    }
    return List.copyOf(classpath);
  }

  /**
   * The jar or directory that holds {@code resource}, found from the resource's URL: {@code
   * jar:file:/m2/devstack-kafka.jar!/telemetry-lake/...} gives the jar, {@code
   * file:/repo/devstack/runtime-kafka/target/classes/telemetry-lake/...} the classes directory.
   */
  static Path moduleRoot(URL url, String resource) {
    String text = url.toString();
    try {
      if (text.startsWith("jar:")) {
        int separator = text.indexOf("!/");
        if (separator < 0 || text.indexOf("!/", separator + 2) >= 0) {
          throw new IllegalStateException("unsupported (nested?) jar URL " + url);
        }
        URI jar = new URI(text.substring("jar:".length(), separator));
        return pathOf(jar, url);
      }
      if (text.startsWith("file:")) {
        Path file = pathOf(url.toURI(), url);
        Path root = file;
        for (int i = 0; i < Path.of(resource).getNameCount(); i++) {
          root = root.getParent();
        }
        if (root == null || !file.equals(root.resolve(resource))) {
          throw new IllegalStateException(url + " does not end with " + resource);
        }
        return root;
      }
    } catch (URISyntaxException e) {
      throw new IllegalStateException("malformed resource URL " + url, e);
    }
    throw new IllegalStateException(
        "runtime module must be a jar or directory on disk, got " + url);
  }

  private static Path pathOf(URI uri, URL original) {
    if (!"file".equals(uri.getScheme())) {
      throw new IllegalStateException("runtime module must be on the local disk, got " + original);
    }
    return Path.of(uri);
  }

  /** The output of maven-dependency-plugin's build-classpath: the platform's path separator. */
  static List<Path> parse(String content) {
    List<Path> entries = new ArrayList<>();
    for (String entry : content.strip().split(Pattern.quote(File.pathSeparator))) {
      if (!entry.isBlank()) {
        entries.add(Path.of(entry.strip()));
      }
    }
    return entries;
  }
}
