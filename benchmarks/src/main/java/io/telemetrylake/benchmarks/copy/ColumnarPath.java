package io.telemetrylake.benchmarks.copy;

import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.benchmarks.e2e.Proc;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetValueWriter;
import org.apache.iceberg.parquet.ParquetValueWriters;
import org.apache.iceberg.parquet.TripleWriter;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * The staging route issue 14 left untested: no DuckDB. Kafka values are decoded into Java column
 * buffers (strings as UTF-8 in one byte arena, resource and scope columns once per resource, the
 * log attributes flattened into key and value arenas), the rows are ordered by (service_name,
 * timestamp) through an index, and the columns are written straight to Iceberg's Parquet writer's
 * column writers (field ids, footer metrics, zstd level 1), with no per-row record objects.
 *
 * <p>{@code benchmarks/run.sh columnar [requests=720] [rounds=5]}: prints process CPU per row of
 * each phase (stage, sort, write) per round. The buffers are on the Java heap here (a real
 * staging path would put the arenas in files it maps, to keep the on-disk bound); the figure
 * wanted is the CPU cost of the route, for comparison with DuckDB's staging plus COPY.
 */
public final class ColumnarPath {
  private ColumnarPath() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 720;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<byte[]> values = Payloads.kafkaValues("copy", requests);
    long pid = ProcessHandle.current().pid();
    System.out.println("columnar Java path, process CPU µs per row: decode+stage, sort, write (file size)");
    for (int round = 1; round <= rounds; round++) {
      long c0 = Proc.cpuNanos(pid);
      Columns columns = new Columns();
      for (byte[] value : values) {
        LogRowMapper.forEachRow(KafkaRecordFormat.decodeValue(value), 0L, columns::append);
      }
      long c1 = Proc.cpuNanos(pid);
      int[] order = columns.sortedOrder();
      long c2 = Proc.cpuNanos(pid);
      Path file = Files.createTempFile("columnar", ".parquet");
      Files.delete(file);
      write(columns, order, file);
      long c3 = Proc.cpuNanos(pid);
      int n = columns.rows;
      System.out.printf("  round %d: %d rows  stage %5.2f  sort %5.2f  write %5.2f  total %5.2f  %6.1f MiB%n",
          round, n, (c1 - c0) / 1e3 / n, (c2 - c1) / 1e3 / n, (c3 - c2) / 1e3 / n, (c3 - c0) / 1e3 / n,
          Files.size(file) / 1048576.0);
      if (round == rounds && args.length > 2) {
        Files.copy(file, Path.of(args[2]), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.delete(file);
    }
  }

  static void write(Columns columns, int[] order, Path file) throws Exception {
    try (FileAppender<Integer> out =
        Parquet.write(org.apache.iceberg.Files.localOutput(file.toFile()))
            .schema(LogTable.SCHEMA)
            .createWriterFunc(type -> new RowWriter(type, columns))
            .set("write.parquet.compression-codec", "zstd")
            .set("write.parquet.compression-level", "1")
            .build()) {
      for (int row : order) {
        out.add(row);
      }
    }
  }

  /** Strings in one UTF-8 arena: value i is bytes [start[i], start[i] + length[i]), null when -1. */
  static final class Strings {
    byte[] data = new byte[1 << 20];
    int used;
    int[] start = new int[1 << 12];
    int[] length = new int[1 << 12];
    int count;

    int add(String s) {
      if (count == start.length) {
        start = Arrays.copyOf(start, count * 2);
        length = Arrays.copyOf(length, count * 2);
      }
      if (s == null) {
        length[count] = -1;
        return count++;
      }
      // worst case 3 bytes per char; usually ASCII: encode straight into the arena
      int max = s.length() * 3;
      if (used + max > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, used + max));
      }
      int n = s.length();
      int pos = used;
      boolean ascii = true;
      for (int i = 0; i < n; i++) {
        char ch = s.charAt(i);
        if (ch >= 0x80) {
          ascii = false;
          break;
        }
        data[pos++] = (byte) ch;
      }
      if (!ascii) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, data, used, utf8.length);
        pos = used + utf8.length;
      }
      start[count] = used;
      length[count] = pos - used;
      used = pos;
      return count++;
    }

    Binary binary(int i) {
      return length[i] < 0 ? null : Binary.fromConstantByteArray(data, start[i], length[i]);
    }
  }

  /** Values shared by every row of one resource and scope, built once as Parquet binaries. */
  record Resource(Binary serviceName, Binary environment, Binary hostName, Binary[][] resourceAttributes,
      Binary[][] scopeAttributes, Binary scopeName, Binary scopeVersion, Binary resourceSchemaUrl,
      Binary scopeSchemaUrl, byte[] serviceKey) {}

  static final class Columns {
    int rows;
    long[] ts = new long[1 << 12];
    long[] observed = new long[1 << 12];
    int[] ints = new int[3 << 12]; // severity, flags, dropped
    int[] resource = new int[1 << 12];
    int[] logEntries = new int[(1 << 12) + 1];
    final Strings severityText = new Strings();
    final Strings body = new Strings();
    final Strings traceId = new Strings();
    final Strings spanId = new Strings();
    final Strings eventName = new Strings();
    final Strings logKeys = new Strings();
    final Strings logValues = new Strings();
    final List<Resource> resources = new ArrayList<>();
    private final Map<Map<String, String>, Integer> seenScopes = new IdentityHashMap<>();
    private Map<String, String> lastResource;

    void append(LogRow r) {
      if (rows == ts.length) {
        int cap = rows * 2;
        ts = Arrays.copyOf(ts, cap);
        observed = Arrays.copyOf(observed, cap);
        ints = Arrays.copyOf(ints, cap * 3);
        resource = Arrays.copyOf(resource, cap);
        logEntries = Arrays.copyOf(logEntries, cap + 1);
      }
      if (r.resourceAttributes() != lastResource) {
        seenScopes.clear();
        lastResource = r.resourceAttributes();
      }
      Integer res = seenScopes.get(r.scopeAttributes());
      if (res == null) {
        res = resources.size();
        resources.add(resource(r));
        seenScopes.put(r.scopeAttributes(), res);
      }
      int i = rows++;
      ts[i] = r.timestampMicros();
      observed[i] = r.observedTimestampMicros() == null ? Long.MIN_VALUE : r.observedTimestampMicros();
      ints[3 * i] = r.severityNumber();
      ints[3 * i + 1] = r.traceFlags();
      ints[3 * i + 2] = r.droppedAttributesCount();
      resource[i] = res;
      severityText.add(r.severityText());
      body.add(r.body());
      traceId.add(r.traceId());
      spanId.add(r.spanId());
      eventName.add(r.eventName());
      Map<String, String> attributes = r.logAttributes();
      if (attributes != null) {
        for (Map.Entry<String, String> e : attributes.entrySet()) {
          logKeys.add(e.getKey());
          logValues.add(e.getValue());
        }
      }
      logEntries[i + 1] = logKeys.count;
    }

    private static Resource resource(LogRow r) {
      return new Resource(bin(r.serviceName()), bin(r.deploymentEnvironment()), bin(r.hostName()),
          entries(r.resourceAttributes()), entries(r.scopeAttributes()), bin(r.scopeName()),
          bin(r.scopeVersion()), bin(r.resourceSchemaUrl()), bin(r.scopeSchemaUrl()),
          r.serviceName() == null ? null : r.serviceName().getBytes(StandardCharsets.UTF_8));
    }

    private static Binary bin(String s) {
      return s == null ? null : Binary.fromString(s);
    }

    private static Binary[][] entries(Map<String, String> map) {
      if (map == null) {
        return null;
      }
      Binary[][] kv = new Binary[2][map.size()];
      int j = 0;
      for (Map.Entry<String, String> e : map.entrySet()) {
        kv[0][j] = Binary.fromString(e.getKey());
        kv[1][j++] = bin(e.getValue());
      }
      return kv;
    }

    /**
     * Row order by (service_name nulls first, timestamp): services ranked once (few), then one
     * primitive sort of (rank, timestamp, row) packed in a long when the batch's time range fits.
     */
    int[] sortedOrder() {
      Integer[] byService = new Integer[resources.size()];
      for (int i = 0; i < byService.length; i++) {
        byService[i] = i;
      }
      Arrays.sort(byService, (a, b) -> Arrays.compareUnsigned(
          nullFirst(resources.get(a).serviceKey()), nullFirst(resources.get(b).serviceKey())));
      int[] rank = new int[resources.size()];
      int r = 0;
      for (int i = 0; i < byService.length; i++) {
        if (i > 0 && !Arrays.equals(resources.get(byService[i]).serviceKey(),
            resources.get(byService[i - 1]).serviceKey())) {
          r++;
        }
        rank[byService[i]] = r;
      }
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < rows; i++) {
        min = Math.min(min, ts[i]);
        max = Math.max(max, ts[i]);
      }
      int rowBits = 32 - Integer.numberOfLeadingZeros(Math.max(rows, 1));
      int rankBits = 32 - Integer.numberOfLeadingZeros(Math.max(r, 1));
      int timeBits = 64 - Long.numberOfLeadingZeros(Math.max(max - min, 1));
      if (rowBits + rankBits + timeBits > 63) {
        throw new IllegalStateException("time range too wide for the packed sort");
      }
      long[] keys = new long[rows];
      for (int i = 0; i < rows; i++) {
        keys[i] = (((long) rank[resource[i]] << timeBits | (ts[i] - min)) << rowBits) | i;
      }
      Arrays.sort(keys);
      int[] order = new int[rows];
      long mask = (1L << rowBits) - 1;
      for (int i = 0; i < rows; i++) {
        order[i] = (int) (keys[i] & mask);
      }
      return order;
    }

    private static byte[] nullFirst(byte[] key) {
      return key == null ? new byte[0] : key;
    }
  }

  /** Writes row {@code i} of the columns to the file's column writers, leaf by leaf. */
  static final class RowWriter implements ParquetValueWriter<Integer> {
    private final Columns c;
    private final List<TripleWriter<?>> leaves = new ArrayList<>();
    private final List<ParquetValueWriter<?>> writers = new ArrayList<>();

    RowWriter(MessageType type, Columns columns) {
      this.c = columns;
      for (ColumnDescriptor d : type.getColumns()) {
        ParquetValueWriters.PrimitiveWriter<Object> w = new ParquetValueWriters.PrimitiveWriter<>(d) {};
        writers.add(w);
        leaves.addAll(w.columns());
      }
    }

    @SuppressWarnings("unchecked")
    private TripleWriter<Object> leaf(int i) {
      return (TripleWriter<Object>) leaves.get(i);
    }

    @Override
    public void write(int rl, Integer boxed) {
      int i = boxed;
      Resource r = c.resources.get(c.resource[i]);
      // leaves in schema order: 0 timestamp .. 11 host_name, 12/13 resource map k/v,
      // 14/15 scope map k/v, 16/17 log map k/v, 18 scope_name .. 21 scope_schema_url, 22 dropped
      leaf(0).writeLong(0, c.ts[i]);
      if (c.observed[i] == Long.MIN_VALUE) {
        leaf(1).writeNull(0, 0);
      } else {
        leaf(1).writeLong(0, c.observed[i]);
      }
      leaf(2).writeInteger(0, c.ints[3 * i]);
      str(3, c.severityText.binary(i));
      str(4, c.body.binary(i));
      str(5, c.traceId.binary(i));
      str(6, c.spanId.binary(i));
      leaf(7).writeInteger(0, c.ints[3 * i + 1]);
      str(8, c.eventName.binary(i));
      str(9, r.serviceName());
      str(10, r.environment());
      str(11, r.hostName());
      map(12, r.resourceAttributes());
      map(14, r.scopeAttributes());
      int from = c.logEntries[i];
      int to = c.logEntries[i + 1];
      if (from == to) {
        leaf(16).writeNull(0, 1);
        leaf(17).writeNull(0, 1);
      } else {
        for (int e = from; e < to; e++) {
          int erl = e == from ? 0 : 1;
          leaf(16).writeBinary(erl, c.logKeys.binary(e));
          Binary v = c.logValues.binary(e);
          if (v == null) {
            leaf(17).writeNull(erl, 2);
          } else {
            leaf(17).writeBinary(erl, v);
          }
        }
      }
      str(18, r.scopeName());
      str(19, r.scopeVersion());
      str(20, r.resourceSchemaUrl());
      str(21, r.scopeSchemaUrl());
      leaf(22).writeInteger(0, c.ints[3 * i + 2]);
    }

    private void str(int leaf, Binary value) {
      if (value == null) {
        leaf(leaf).writeNull(0, 0);
      } else {
        leaf(leaf).writeBinary(0, value);
      }
    }

    private void map(int keyLeaf, Binary[][] kv) {
      if (kv == null) {
        leaf(keyLeaf).writeNull(0, 0);
        leaf(keyLeaf + 1).writeNull(0, 0);
      } else if (kv[0].length == 0) {
        leaf(keyLeaf).writeNull(0, 1);
        leaf(keyLeaf + 1).writeNull(0, 1);
      } else {
        for (int e = 0; e < kv[0].length; e++) {
          int rl = e == 0 ? 0 : 1;
          leaf(keyLeaf).writeBinary(rl, kv[0][e]);
          if (kv[1][e] == null) {
            leaf(keyLeaf + 1).writeNull(rl, 2);
          } else {
            leaf(keyLeaf + 1).writeBinary(rl, kv[1][e]);
          }
        }
      }
    }

    @Override
    public List<TripleWriter<?>> columns() {
      return leaves;
    }

    @Override
    public void setColumnStore(ColumnWriteStore store) {
      for (ParquetValueWriter<?> w : writers) {
        w.setColumnStore(store);
      }
    }
  }
}
