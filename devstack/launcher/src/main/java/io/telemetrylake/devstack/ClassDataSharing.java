package io.telemetrylake.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class data sharing archives of the servers' classes, kept in a cache directory across stacks:
 * loading Kafka's classes from an archive halves its start-up on two cores (about 6.5 s to 3.5 s).
 *
 * <p>A server without an archive runs with {@code -XX:ArchiveClassesAtExit} into a temporary file,
 * which becomes the archive after a graceful stop; later starts map it with {@code
 * -XX:SharedArchiveFile}. The archive's name hashes the JVM and every classpath entry's path, size
 * and modification time, so a rebuilt jar or another JDK gets a new archive instead of one the JVM
 * would silently refuse. A program whose jar lists its classes ({@link #CLASS_LIST}) gets its
 * archive from that list before its first start instead. Off with {@code LAKE_CDS=off} or {@code
 * -Ddevstack.cds=off}; the cache directory is {@code LAKE_CDS_DIR}, else {@code
 * $XDG_CACHE_HOME/telemetry-lake/cds}, else {@code ~/.cache/telemetry-lake/cds}.
 */
final class ClassDataSharing {

  private static final Logger LOG = LoggerFactory.getLogger(ClassDataSharing.class);
  private static final String SUFFIX = ".jsa";
  private static final Duration STALE_DUMP_AGE = Duration.ofHours(1);
  private static final int KEPT_ARCHIVES = 3;
  private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(3);

  /** Where a program's jar lists its classes (written by {@code -XX:DumpLoadedClassList}). */
  static final String CLASS_LIST = "META-INF/telemetry-lake/classes.list";

  /** Archive problems are not worth a line in the server's log: the JVM just runs without one. */
  private static final String QUIET = "-Xlog:cds=error,cds+dynamic=error";

  /** What one launch does: options for the JVM, and where a fresh dump lands. */
  record Plan(List<String> jvmOptions, Path archive, Path pendingDump) {
    static final Plan NONE = new Plan(List.of(), null, null);
  }

  private final Path dir;

  private ClassDataSharing(Path dir) {
    this.dir = dir;
  }

  static ClassDataSharing disabled() {
    return new ClassDataSharing(null);
  }

  static ClassDataSharing fromEnvironment() {
    return from(
        System.getenv(), System.getProperty("devstack.cds", ""), System.getProperty("user.home"));
  }

  static ClassDataSharing from(Map<String, String> env, String property, String userHome) {
    String switchValue = property.isBlank() ? env.getOrDefault("LAKE_CDS", "") : property;
    if (switchValue.equalsIgnoreCase("off") || switchValue.equalsIgnoreCase("false")) {
      return disabled();
    }
    String explicit = env.get("LAKE_CDS_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return new ClassDataSharing(Path.of(explicit));
    }
    String cacheHome = env.get("XDG_CACHE_HOME");
    Path base =
        cacheHome != null && !cacheHome.isBlank()
            ? Path.of(cacheHome)
            : Path.of(userHome, ".cache");
    return new ClassDataSharing(base.resolve("telemetry-lake").resolve("cds"));
  }

  Plan plan(String name, List<Path> classpath) {
    // archives hold classes from jars only; a classes directory (a reactor build) rules them out
    if (dir == null || !classpath.stream().allMatch(Files::isRegularFile)) {
      return Plan.NONE;
    }
    try {
      Files.createDirectories(dir);
      Path archive = dir.resolve(name + "-" + key(classpath) + SUFFIX);
      if (Files.isRegularFile(archive) || dumpFromClassList(name, classpath, archive)) {
        return new Plan(List.of(QUIET, "-XX:SharedArchiveFile=" + archive), archive, null);
      }
      deleteStaleDumps(name);
      Path pending =
          dir.resolve(
              archive.getFileName()
                  + ".tmp-"
                  + ProcessHandle.current().pid()
                  + "-"
                  + System.nanoTime());
      return new Plan(List.of(QUIET, "-XX:ArchiveClassesAtExit=" + pending), archive, pending);
    } catch (IOException e) {
      LOG.warn("no class data sharing for {}: {}", name, e.toString());
      return Plan.NONE;
    }
  }

  /**
   * A program whose jar (the classpath's first entry) lists its classes at {@link #CLASS_LIST}
   * gets its archive before its first start, from that list ({@code -Xshare:dump}, ~15 s of CPU
   * for the appender's ~12,800 classes, once per build): the first run of a build then maps it
   * too, where a dump at exit serves only the runs after it. The appender carries a list because
   * its per-record CPU is what the benchmarks measure; classes missing from an outdated list are
   * loaded as usual. False (no list, or the dump failed) leaves the dump at exit.
   */
  private boolean dumpFromClassList(String name, List<Path> classpath, Path archive)
      throws IOException {
    byte[] list = classList(classpath.get(0));
    if (list == null) {
      return false;
    }
    String tmp = archive.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
        + System.nanoTime();
    Path listFile = dir.resolve(tmp + ".classlist");
    Path argFile = dir.resolve(tmp + ".argfile");
    Path pending = dir.resolve(tmp);
    Process dump = null;
    try {
      Files.write(listFile, list);
      ChildJvm.writeClasspathArgFile(argFile, classpath);
      LOG.info("{}: writing its class data sharing archive from its class list (once per build)",
          name);
      long started = System.nanoTime();
      dump = ChildJvm.processBuilder(List.of(ChildJvm.javaExecutable().toString(), "-Xshare:dump",
              "-XX:SharedClassListFile=" + listFile, "-XX:SharedArchiveFile=" + pending,
              "-Xlog:cds=error", "@" + argFile))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      boolean ended = dump.waitFor(DUMP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!ended || dump.exitValue() != 0 || !Files.isRegularFile(pending)
          || Files.size(pending) == 0) {
        LOG.warn("{}: no class data sharing archive from its class list ({}); dumping at exit",
            name, ended ? "exit " + dump.exitValue() : "still running after " + DUMP_TIMEOUT);
        return false;
      }
      Files.move(pending, archive, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      LOG.info("{}: class data sharing archive {} written in {} ms", name, archive,
          Duration.ofNanos(System.nanoTime() - started).toMillis());
      deleteOldArchives(name);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      if (dump != null) {
        dump.destroyForcibly();
      }
      Files.deleteIfExists(listFile);
      Files.deleteIfExists(argFile);
      Files.deleteIfExists(pending);
    }
  }

  /** The class list in a jar, or null (no list, or not a jar). */
  static byte[] classList(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(CLASS_LIST);
      if (entry == null) {
        return null;
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * After the child ended: a dump from a graceful stop becomes the archive (replacing the archives
   * of older classpaths of this server); any other dump is discarded.
   */
  void finish(Plan plan, String name, boolean graceful) {
    Path pending = plan.pendingDump();
    if (pending == null || !Files.exists(pending)) {
      return;
    }
    try {
      if (!graceful || Files.size(pending) == 0) {
        Files.deleteIfExists(pending);
        return;
      }
      Files.move(
          pending,
          plan.archive(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      LOG.info("{}: class data sharing archive {} written", name, plan.archive());
      deleteOldArchives(name);
    } catch (IOException e) {
      LOG.warn("{}: cannot keep class data sharing archive: {}", name, e.toString());
    }
  }

  /**
   * Keeps the newest few archives of a server: more than one, because the same server runs from
   * different classpaths (the local repository's jars in one build, the reactor's in another).
   */
  private void deleteOldArchives(String name) throws IOException {
    List<Path> archives;
    try (Stream<Path> files = Files.list(dir)) {
      archives =
          files
              .filter(
                  f -> {
                    String file = f.getFileName().toString();
                    return file.startsWith(name + "-") && file.endsWith(SUFFIX);
                  })
              .sorted(Comparator.comparing(ClassDataSharing::modified).reversed())
              .toList();
    }
    for (Path old : archives.subList(Math.min(KEPT_ARCHIVES, archives.size()), archives.size())) {
      Files.deleteIfExists(old);
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /** Dumps of JVMs that never stopped gracefully (their launcher was killed) pile up otherwise. */
  private void deleteStaleDumps(String name) throws IOException {
    FileTime cutoff = FileTime.from(Instant.now().minus(STALE_DUMP_AGE));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String fileName = file.getFileName().toString();
        if (fileName.startsWith(name + "-")
            && fileName.contains(SUFFIX + ".tmp-")
            && Files.getLastModifiedTime(file).compareTo(cutoff) < 0) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  static String key(List<Path> classpath) throws IOException {
    StringBuilder text =
        new StringBuilder()
            .append(System.getProperty("java.home"))
            .append('|')
            .append(System.getProperty("java.vm.version"))
            .append('\n');
    for (Path entry : classpath) {
      text.append(entry.toAbsolutePath())
          .append('|')
          .append(Files.size(entry))
          .append('|')
          .append(Files.getLastModifiedTime(entry).toMillis())
          .append('\n');
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
