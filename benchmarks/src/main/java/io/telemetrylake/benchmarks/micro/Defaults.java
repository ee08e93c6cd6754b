package io.telemetrylake.benchmarks.micro;

/** Shared JMH settings (annotations need constants). */
final class Defaults {
  /** Distinct requests cycled through, so branch predictors and caches do not see one input. */
  static final int POOL = 16;

  private Defaults() {}
}
