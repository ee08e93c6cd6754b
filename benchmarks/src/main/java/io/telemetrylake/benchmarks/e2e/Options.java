package io.telemetrylake.benchmarks.e2e;

import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} (or {@code --name=value}) options; unknown ones are refused. */
final class Options {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final Set<String> read = new HashSet<>();

  static Options parse(String[] args, int from) {
    Options o = new Options();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        value = "true";
      }
      o.values.put(name, value);
    }
    return o;
  }

  String string(String name, String defaultValue) {
    read.add(name);
    return values.getOrDefault(name, defaultValue);
  }

  int integer(String name, int defaultValue) {
    return Integer.parseInt(string(name, Integer.toString(defaultValue)));
  }

  long longValue(String name, long defaultValue) {
    return Long.parseLong(string(name, Long.toString(defaultValue)).replace("_", ""));
  }

  /** {@code --signal logs|traces}: which signal a scenario sends and measures (default logs). */
  static Signal<?> signal(Options o) {
    String name = o.string("signal", Signals.LOGS.name());
    return Signals.byName(name).orElseThrow(() -> new IllegalArgumentException(
        "--signal: expected one of " + Signals.ALL.stream().map(Signal::name).toList() + ", got '" + name + "'"));
  }

  /** The services' setting that names a signal's topic. */
  static String topicSetting(Signal<?> signal) {
    return signal == Signals.LOGS ? "KAFKA_TOPIC" : "KAFKA_" + signal.name().toUpperCase(java.util.Locale.ROOT) + "_TOPIC";
  }

  /** Fails on options no scenario asked for (typos). */
  void checkAllRead() {
    for (String name : values.keySet()) {
      if (!read.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
  }

  Map<String, String> asMap() {
    return Map.copyOf(values);
  }
}
