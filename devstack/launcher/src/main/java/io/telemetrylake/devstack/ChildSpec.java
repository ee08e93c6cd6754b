package io.telemetrylake.devstack;

import java.util.List;
import java.util.Map;

/**
 * What one child JVM runs: JVM options, main class, program arguments, and environment variables
 * set on top of the inherited environment.
 */
record ChildSpec(
    String name, List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env) {

  ChildSpec {
    jvmOptions = List.copyOf(jvmOptions);
    args = List.copyOf(args);
    env = Map.copyOf(env);
  }

  ChildSpec(String name, List<String> jvmOptions, String mainClass, List<String> args) {
    this(name, jvmOptions, mainClass, args, Map.of());
  }
}
