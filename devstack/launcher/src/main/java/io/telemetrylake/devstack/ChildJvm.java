package io.telemetrylake.devstack;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Starts a child JVM with the same Java as this process, its output appended to a log file. */
final class ChildJvm {

  /**
   * Options for the user's JVMs that must not leak into ours (debug agents would clash on ports).
   */
  private static final List<String> SCRUBBED_ENV =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH");

  private ChildJvm() {}

  static Process launch(ChildSpec spec, List<Path> classpath, Path runDir, Path logFile)
      throws IOException {
    Files.createDirectories(runDir);
    Files.createDirectories(logFile.getParent());
    Path argFile = writeClasspathArgFile(runDir.resolve(spec.name() + ".argfile"), classpath);

    List<String> command = new ArrayList<>();
    command.add(javaExecutable().toString());
    command.addAll(spec.jvmOptions());
    command.add("@" + argFile);
    command.add(spec.mainClass());
    command.addAll(spec.args());

    Files.writeString(
        logFile,
        LogTail.START_HEADER
            + Instant.now()
            + LogTail.START_MARK
            + spec.name()
            + ": "
            + String.join(" ", command)
            + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder builder =
        processBuilder(command)
            .directory(runDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(logFile.toFile()));
    // stdin stays a pipe that we never write to nor close: the child exits when it reaches
    // end-of-file, which happens when this JVM dies, however it dies.
    builder.environment().putAll(spec.env());
    return builder.start();
  }

  /** A process builder for a JVM of ours: the user's JVM options scrubbed from its environment. */
  static ProcessBuilder processBuilder(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeAll(SCRUBBED_ENV);
    return builder;
  }

  /**
   * Writes {@code -cp <classpath>} to an argument file ({@code @file} on the command line):
   * classpaths run to several kilobytes, an argument file keeps the command line short.
   */
  static Path writeClasspathArgFile(Path argFile, List<Path> classpath) throws IOException {
    String joined =
        classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    Files.writeString(argFile, "-cp " + quote(joined) + "\n", StandardCharsets.UTF_8);
    return argFile;
  }

  /** The java of this very JVM, so children run on the same version. */
  static Path javaExecutable() {
    Path fromHome =
        Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
    if (Files.isExecutable(fromHome)) {
      return fromHome;
    }
    return ProcessHandle.current()
        .info()
        .command()
        .map(Path::of)
        .orElseThrow(() -> new IllegalStateException("cannot find the java executable"));
  }

  /** Quoting of java's @argfiles: double quotes, with backslash escapes inside. */
  static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "")
        .toLowerCase(java.util.Locale.ROOT)
        .startsWith("windows");
  }
}
