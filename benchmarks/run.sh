#!/usr/bin/env bash
# telemetry-lake benchmarks (docs/BENCHMARKS.md has the figures and how to read them).
#   benchmarks/run.sh micro [JMH options]       JMH microbenchmarks (e.g. `micro Decode -prof gc`)
#   benchmarks/run.sh ingest [options]          lake send -> ingester -> Kafka vs a bare producer
#   benchmarks/run.sh append [options]          a pre-filled topic drained by one appender
#   benchmarks/run.sh freshness [options]       delay from a record's 200 to its row in the table
#   benchmarks/run.sh pipeline [options]        lake send -> ingester -> Kafka -> appender: CPU/record of each
#   benchmarks/run.sh spread [options]          one busy service, 3 appenders: INGESTER_PARTITIONING resource vs spread
#   benchmarks/run.sh copy [requests] [rounds]  the flush's COPY to Parquet and variants, CPU per row
#   benchmarks/run.sh columnar [requests] [rounds] [out.parquet]  the same rows without DuckDB: Java
#                                                  column buffers written by Iceberg's Parquet column writers
#   benchmarks/run.sh staging [requests] [rounds]  rows into the DuckDB staging table: appender vs Arrow, JSON vs MAP
#   benchmarks/run.sh maintain [files] [rows] [dir] [target-mb] compaction of N small files: MB/s, CPU/row, lake query before/after
#   benchmarks/run.sh build                     build what the commands above run
# e2e options: --profile none|async|jfr, --out DIR, --data-dir DIR, --services-repo DIR, and per scenario:
#   ingest    --duration 30 --warmup 15 --connections 8 --pool 64 --rounds 2
#   append    --signal logs|traces --records 3000000 --warmup 0 --buffer-mb 100 --buffer-seconds 600 --duckdb-memory-mb 1024 --timeout 1200
#             (--warmup N: N more records first; "steady" in results.json covers the records after them)
#   freshness --rate 5000 --duration 120 --warmup 30 --buffer-seconds 10 --poll-ms 250
#   pipeline  --signal logs|traces --count 1000000 --warmup 0 --connections 4 --timeout 900
#   spread    --modes resource,spread --rounds 1 --count 2000000 --appenders 3 --hot-share 0.9 --partitions 12
#             --appenders-during-send stopped|running --appender-cpus 0 (cores per appender, a cgroup; needs root)
# Builds first when a source changed (BENCH_SKIP_BUILD=1 skips that); JAVA_HOME selects the JDK.
# BENCH_APPENDER_JVM_OPTS / BENCH_INGESTER_JVM_OPTS: JVM options appended to ./lake up's (e2e only).
# BENCH_ASYNC_OPTIONS: async-profiler event options for --profile async (default event=cpu,interval=10ms,threads).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$REPO/benchmarks/target/benchmarks.jar"
JAVA="java"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
fi

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

build() {
  echo "benchmarks: building ..." >&2
  # install, like ./lake build: the e2e benchmarks run the services from their modules' output
  (cd "$REPO" && mvn -B -q -DskipTests install -pl benchmarks -am)
}

ensure_built() {
  [[ "${BENCH_SKIP_BUILD:-}" == 1 ]] && return 0
  if [[ ! -f "$JAR" || ! -f "$REPO/ingester/target/ingester.classpath" || ! -f "$REPO/appender/target/appender.classpath" \
      || -n "$(find "$REPO/pom.xml" "$REPO/common-proto" "$REPO/devstack" "$REPO/ingester" "$REPO/appender" "$REPO/tools" \
          "$REPO/benchmarks" -newer "$JAR" -not -path '*/target/*' -type f -print -quit)" ]]; then
    build
  fi
}

case "${1:-}" in
  micro)
    shift
    ensure_built
    exec "$JAVA" -jar "$JAR" "$@"
    ;;
  ingest|append|freshness|pipeline|spread)
    ensure_built
    exec "$JAVA" -Xmx1g -XX:+UseParallelGC -Dlake.repo="$REPO" -cp "$JAR" \
      io.telemetrylake.benchmarks.e2e.E2eMain "$@"
    ;;
  maintain)
    shift
    ensure_built
    exec "$JAVA" -Xmx1g -XX:+UseParallelGC -Dlake.repo="$REPO" -cp "$JAR" \
      io.telemetrylake.benchmarks.maintain.CompactionBench "$@"
    ;;
  copy)
    shift
    ensure_built
    exec "$JAVA" -Xmx1g -XX:+UseParallelGC -cp "$JAR" io.telemetrylake.benchmarks.copy.CopyVariants "$@"
    ;;
  columnar)
    shift
    ensure_built
    exec "$JAVA" -Xmx2g -XX:+UseParallelGC -cp "$JAR" io.telemetrylake.benchmarks.copy.ColumnarPath "$@"
    ;;
  staging)
    shift
    ensure_built
    # Arrow's memory module reads direct buffers' addresses through java.nio internals
    exec "$JAVA" -Xmx2g -XX:+UseParallelGC --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$JAR" \
      io.telemetrylake.benchmarks.copy.StagingPaths "$@"
    ;;
  build)
    build
    ;;
  -h|--help|help|"")
    usage
    ;;
  *)
    echo "run.sh: unknown command '$1'" >&2
    usage >&2
    exit 2
    ;;
esac
