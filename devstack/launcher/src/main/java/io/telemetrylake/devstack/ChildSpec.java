package io.telemetrylake.devstack;

import java.util.List;

/** What one child JVM runs: JVM options, main class and program arguments. */
record ChildSpec(String name, List<String> jvmOptions, String mainClass, List<String> args) {

  ChildSpec {
    jvmOptions = List.copyOf(jvmOptions);
    args = List.copyOf(args);
  }
}
