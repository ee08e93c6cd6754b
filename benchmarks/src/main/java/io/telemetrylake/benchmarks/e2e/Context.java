package io.telemetrylake.benchmarks.e2e;

import java.nio.file.Path;

/**
 * Where a scenario runs: the repository whose build output runs the services (another checkout's
 * for a before/after comparison), the servers' data and the results.
 */
record Context(Path repoRoot, Path dataDir, Path outDir, Profiling profiling) {}
