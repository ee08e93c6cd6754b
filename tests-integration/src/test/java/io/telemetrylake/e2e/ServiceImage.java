package io.telemetrylake.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Our service images for the containers stack: a prebuilt image named by {@code
 * -De2e.<service>.image=...}, else built from {@code docker/Dockerfile.<service>} with the
 * repository root as context, as {@code docker build -f docker/Dockerfile.<service> .} would.
 */
final class ServiceImage {
  private static final Pattern BUILDKIT_MOUNT = Pattern.compile("--mount=\\S+[ \\t]*(\\\\\\r?\\n[ \\t]*)?");

  private ServiceImage() {}

  /** The system property that names a prebuilt image for {@code service}. */
  static String overrideProperty(String service) {
    return "e2e." + service + ".image";
  }

  static Optional<String> override(String service) {
    String value = System.getProperty(overrideProperty(service), "").trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The image, built lazily by Testcontainers (once, when the first container needs it). */
  @SuppressWarnings("deprecation") // withDockerfilePath: withDockerfile(Path) cannot take our rewritten Dockerfile
  static ImageFromDockerfile fromDockerfile(Path repoRoot, String service) {
    String dockerfilePath = "docker/Dockerfile." + service;
    ImageFromDockerfile image = new ImageFromDockerfile();
    try {
      DockerIgnore ignore = DockerIgnore.parse(Files.readString(repoRoot.resolve(".dockerignore")));
      for (String file : contextFiles(repoRoot, ignore)) {
        image.withFileFromPath(file, repoRoot.resolve(file));
      }
      String dockerfile = withoutBuildKitMounts(Files.readString(repoRoot.resolve(dockerfilePath)));
      return image.withFileFromString(dockerfilePath, dockerfile).withDockerfilePath(dockerfilePath);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the build context for " + dockerfilePath, e);
    }
  }

  /**
   * Testcontainers builds through the Engine API's classic builder, which rejects BuildKit's
   * {@code RUN --mount=...} (testcontainers-java#2857); our Dockerfiles only use it for a Maven
   * cache, so the build works the same without it, just slower.
   */
  static String withoutBuildKitMounts(String dockerfile) {
    return BUILDKIT_MOUNT.matcher(dockerfile).replaceAll("");
  }

  /** Files of the repository that {@code .dockerignore} lets into the build context, '/'-separated. */
  static List<String> contextFiles(Path repoRoot, DockerIgnore ignore) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(repoRoot)) {
      all.filter(Files::isRegularFile)
          .map(p -> repoRoot.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !ignore.ignores(p))
          .sorted()
          .forEach(files::add);
    }
    return files;
  }

  /**
   * The {@code .dockerignore} rules Docker applies: patterns in order, the last match wins, a
   * leading {@code !} lets a path back in, and a pattern that matches a directory covers what is
   * inside it.
   */
  record DockerIgnore(List<Rule> rules) {
    record Rule(Pattern pattern, boolean include) {}

    static DockerIgnore parse(String text) {
      List<Rule> rules = new ArrayList<>();
      for (String raw : text.split("\n")) {
        String line = raw.trim();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        boolean include = line.startsWith("!");
        String glob = (include ? line.substring(1) : line).trim().replaceAll("^/+|/+$", "");
        rules.add(new Rule(Pattern.compile(regex(glob)), include));
      }
      return new DockerIgnore(List.copyOf(rules));
    }

    boolean ignores(String path) {
      boolean ignored = false;
      for (Rule rule : rules) {
        if (matchesItselfOrAParent(rule.pattern(), path)) {
          ignored = !rule.include();
        }
      }
      return ignored;
    }

    private static boolean matchesItselfOrAParent(Pattern pattern, String path) {
      for (int end = path.indexOf('/'); end >= 0; end = path.indexOf('/', end + 1)) {
        if (pattern.matcher(path.substring(0, end)).matches()) {
          return true;
        }
      }
      return pattern.matcher(path).matches();
    }

    /** Go's filepath.Match syntax plus Docker's {@code **} (any number of directories, also none). */
    private static String regex(String glob) {
      StringBuilder re = new StringBuilder();
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        if (glob.startsWith("**/", i)) {
          re.append("(?:.*/)?");
          i += 2;
        } else if (glob.startsWith("**", i)) {
          re.append(".*");
          i += 1;
        } else if (c == '*') {
          re.append("[^/]*");
        } else if (c == '?') {
          re.append("[^/]");
        } else {
          re.append(Pattern.quote(String.valueOf(c)));
        }
      }
      return re.toString();
    }
  }
}
