package io.telemetrylake.signal;

import java.util.List;
import java.util.Optional;

/** The signals the lake takes. */
public final class Signals {
  public static final LogsSignal LOGS = new LogsSignal();
  public static final TracesSignal TRACES = new TracesSignal();
  public static final List<Signal<?>> ALL = List.of(LOGS, TRACES);

  private Signals() {}

  public static Optional<Signal<?>> byName(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
