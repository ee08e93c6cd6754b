package io.telemetrylake.record;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a validated request into Kafka records: one per {@code ResourceLogs}, keyed by {@link
 * ResourceKeys}, each value an {@code ExportLogsServiceRequest} holding just that resource.
 *
 * <p>A value that would exceed {@code maxValueBytes} is split further, first between scopes (each
 * part keeps the resource, its schema URL and the whole scopes it holds), then, for a scope that
 * alone is too large, between its records (each part keeps the scope and its schema URL). Parts
 * are packed greedily in the original order, so records of a resource stay in order across the
 * parts, which share the key and therefore the partition. A single log record that is too large
 * even alone (with its resource and scope) is rejected and counted. Resources and scopes without
 * records produce nothing.
 *
 * <p>Sizes are computed from protobuf's memoized sizes, without serializing anything twice.
 *
 * <p>When the caller still has the protobuf bytes the request was decoded from ({@link
 * #split(ExportLogsServiceRequest, byte[])}, the ingester's common case), a resource that goes
 * whole into one value is copied from those bytes instead of being serialized again: in a profile of
 * the ingester at full speed, re-encoding was about a sixth of its CPU time. The value then holds
 * the resource exactly as the client encoded it, which decodes to the same message (for a client
 * that encodes canonically, as the OpenTelemetry SDKs do, it is the same bytes too).
 */
public final class ResourceSplitter {
  private static final int REQUEST_RESOURCE_LOGS = ExportLogsServiceRequest.RESOURCE_LOGS_FIELD_NUMBER;
  /** The tag of a resource_logs field: field 1, length-delimited. */
  private static final int RESOURCE_LOGS_TAG = (REQUEST_RESOURCE_LOGS << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int RESOURCE_SCOPE_LOGS = ResourceLogs.SCOPE_LOGS_FIELD_NUMBER;
  private static final int SCOPE_LOG_RECORDS = ScopeLogs.LOG_RECORDS_FIELD_NUMBER;

  private final int maxValueBytes;

  /**
   * @param maxValueBytes the largest value to produce; keep it below the producer's {@code
   *     max.request.size} and the topic's {@code max.message.bytes}, minus room for the key and the
   *     record overhead
   */
  public ResourceSplitter(int maxValueBytes) {
    if (maxValueBytes <= 0) {
      throw new IllegalArgumentException("maxValueBytes must be positive: " + maxValueBytes);
    }
    this.maxValueBytes = maxValueBytes;
  }

  /**
   * The records of a request.
   *
   * @param records in request order; their {@code logRecordCount}s plus {@code rejectedLogRecords}
   *     add up to the request's record count
   * @param rejectedLogRecords records that cannot fit into any value
   * @param errorMessage why they were rejected, for the partial-success response; empty when none
   */
  public record Split(List<KafkaLogRecord> records, int rejectedLogRecords, String errorMessage) {
    public Split {
      records = List.copyOf(records);
    }
  }

  public Split split(ExportLogsServiceRequest request) {
    return split(request, null);
  }

  /**
   * Like {@link #split(ExportLogsServiceRequest)}, reusing the bytes the request was decoded from.
   *
   * @param encoded the protobuf encoding {@code request} was decoded from, unchanged, or null (e.g.
   *     for a request decoded from JSON, or changed since); bytes that do not line up with the
   *     request's resources are ignored, so passing them is never wrong, only useless
   */
  public Split split(ExportLogsServiceRequest request, byte[] encoded) {
    int resources = request.getResourceLogsCount();
    List<KafkaLogRecord> out = new ArrayList<>(resources);
    Rejections rejections = new Rejections();
    int[] slices = encoded == null ? null : resourceSlices(encoded, resources);
    for (int i = 0; i < resources; i++) {
      if (slices != null && copyWhole(request.getResourceLogs(i), encoded, slices[2 * i], slices[2 * i + 1], out)) {
        continue;
      }
      splitResource(request.getResourceLogs(i), out, rejections);
    }
    return new Split(out, rejections.count, rejections.message(maxValueBytes));
  }

  /**
   * The common case from the original bytes: a resource with records in every scope whose encoding
   * fits in one value becomes that value, its bytes copied. False when the resource needs the
   * general path (empty scopes to drop, too large, or no records at all).
   */
  private boolean copyWhole(ResourceLogs resourceLogs, byte[] encoded, int offset, int length, List<KafkaLogRecord> out) {
    int records = 0;
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      int count = scopeLogs.getLogRecordsCount();
      if (count == 0) {
        return false;
      }
      records += count;
    }
    if (records == 0 || valueSize(length) > maxValueBytes) {
      return false;
    }
    byte[] value = new byte[valueSize(length)];
    CodedOutputStream output = CodedOutputStream.newInstance(value);
    try {
      output.writeTag(REQUEST_RESOURCE_LOGS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      output.writeUInt32NoTag(length);
      output.writeRawBytes(encoded, offset, length);
      output.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("value size miscomputed", e);
    }
    out.add(new KafkaLogRecord(ResourceKeys.keyOf(resourceLogs.getResource()), value, records));
    return true;
  }

  /**
   * Where each {@code resource_logs} field lies in an encoded request: offset and length of the
   * i-th one at [2i] and [2i+1]; null unless there are exactly {@code expected} of them in a
   * well-formed top level (other fields are skipped, as the decoder skipped them).
   */
  static int[] resourceSlices(byte[] encoded, int expected) {
    int[] slices = new int[2 * expected];
    int found = 0;
    CodedInputStream input = CodedInputStream.newInstance(encoded);
    try {
      while (!input.isAtEnd()) {
        int tag = input.readTag();
        if (tag == RESOURCE_LOGS_TAG) {
          int length = input.readRawVarint32();
          if (found == expected || length < 0) {
            return null;
          }
          slices[2 * found] = input.getTotalBytesRead();
          slices[2 * found + 1] = length;
          found++;
          input.skipRawBytes(length);
        } else if (tag == 0 || !input.skipField(tag)) {
          return null;
        }
      }
    } catch (IOException e) {
      return null;
    }
    return found == expected ? slices : null;
  }

  private void splitResource(ResourceLogs resourceLogs, List<KafkaLogRecord> out, Rejections rejections) {
    int records = 0;
    boolean emptyScopes = false;
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      int count = scopeLogs.getLogRecordsCount();
      records += count;
      emptyScopes |= count == 0;
    }
    if (records == 0) {
      return;
    }
    byte[] key = ResourceKeys.keyOf(resourceLogs.getResource());
    ResourceLogs whole = emptyScopes ? withoutEmptyScopes(resourceLogs) : resourceLogs;
    if (valueSize(whole.getSerializedSize()) <= maxValueBytes) {
      // The common case: the resource as it came, no copy of its content.
      out.add(new KafkaLogRecord(key, KafkaRecordFormat.encodeValue(whole), records));
      return;
    }
    ResourceLogs base = resourceLogs.toBuilder().clearScopeLogs().build();
    int baseSize = base.getSerializedSize();
    Part part = new Part(key, base, baseSize);
    for (ScopeLogs scopeLogs : whole.getScopeLogsList()) {
      int scopeSize = CodedOutputStream.computeMessageSize(RESOURCE_SCOPE_LOGS, scopeLogs);
      if (valueSize(baseSize + scopeSize) <= maxValueBytes) {
        if (valueSize(part.size + scopeSize) > maxValueBytes) {
          part.flushTo(out);
        }
        part.add(scopeLogs, scopeSize);
      } else {
        part.flushTo(out);
        splitScope(key, base, baseSize, scopeLogs, out, rejections);
      }
    }
    part.flushTo(out);
  }

  private void splitScope(
      byte[] key,
      ResourceLogs base,
      int baseSize,
      ScopeLogs scopeLogs,
      List<KafkaLogRecord> out,
      Rejections rejections) {
    ScopeLogs scopeBase = scopeLogs.toBuilder().clearLogRecords().build();
    int scopeBaseSize = scopeBase.getSerializedSize();
    ScopeLogs.Builder scope = null;
    int scopeSize = scopeBaseSize;
    int records = 0;
    for (LogRecord record : scopeLogs.getLogRecordsList()) {
      int recordSize = CodedOutputStream.computeMessageSize(SCOPE_LOG_RECORDS, record);
      int aloneSize = valueSizeWithScope(baseSize, scopeBaseSize + recordSize);
      if (aloneSize > maxValueBytes) {
        rejections.add(aloneSize);
        continue;
      }
      if (records > 0 && valueSizeWithScope(baseSize, scopeSize + recordSize) > maxValueBytes) {
        out.add(value(key, base, scope.build(), records));
        scope = null;
        scopeSize = scopeBaseSize;
        records = 0;
      }
      if (scope == null) {
        scope = scopeBase.toBuilder();
      }
      scope.addLogRecords(record);
      scopeSize += recordSize;
      records++;
    }
    if (records > 0) {
      out.add(value(key, base, scope.build(), records));
    }
  }

  private static KafkaLogRecord value(byte[] key, ResourceLogs base, ScopeLogs scope, int records) {
    ResourceLogs resourceLogs = base.toBuilder().addScopeLogs(scope).build();
    return new KafkaLogRecord(key, KafkaRecordFormat.encodeValue(resourceLogs), records);
  }

  private static ResourceLogs withoutEmptyScopes(ResourceLogs resourceLogs) {
    ResourceLogs.Builder builder = resourceLogs.toBuilder().clearScopeLogs();
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      if (scopeLogs.getLogRecordsCount() > 0) {
        builder.addScopeLogs(scopeLogs);
      }
    }
    return builder.build();
  }

  /** Size of the value holding a ResourceLogs of the given serialized size. */
  private static int valueSize(int resourceLogsSize) {
    return lengthDelimitedSize(REQUEST_RESOURCE_LOGS, resourceLogsSize);
  }

  /** Size of the value holding the resource base plus one ScopeLogs of the given size. */
  private static int valueSizeWithScope(int baseSize, int scopeLogsSize) {
    return valueSize(baseSize + lengthDelimitedSize(RESOURCE_SCOPE_LOGS, scopeLogsSize));
  }

  private static int lengthDelimitedSize(int fieldNumber, int size) {
    // Sizes of requests that passed the body limit stay far below 2 GiB: int cannot overflow.
    return CodedOutputStream.computeTagSize(fieldNumber)
        + CodedOutputStream.computeUInt32SizeNoTag(size)
        + size;
  }

  /** A value being packed with whole scopes of one resource. */
  private static final class Part {
    private final byte[] key;
    private final ResourceLogs base;
    private final int baseSize;
    private ResourceLogs.Builder builder;
    int size;
    private int records;

    Part(byte[] key, ResourceLogs base, int baseSize) {
      this.key = key;
      this.base = base;
      this.baseSize = baseSize;
      this.size = baseSize;
    }

    void add(ScopeLogs scopeLogs, int scopeSize) {
      if (builder == null) {
        builder = base.toBuilder();
      }
      builder.addScopeLogs(scopeLogs);
      size += scopeSize;
      records += scopeLogs.getLogRecordsCount();
    }

    void flushTo(List<KafkaLogRecord> out) {
      if (records > 0) {
        out.add(new KafkaLogRecord(key, KafkaRecordFormat.encodeValue(builder.build()), records));
      }
      builder = null;
      size = baseSize;
      records = 0;
    }
  }

  /** Records too large to send, whatever the split. */
  private static final class Rejections {
    int count;
    int largestValueBytes;

    void add(int valueBytes) {
      count++;
      largestValueBytes = Math.max(largestValueBytes, valueBytes);
    }

    String message(int maxValueBytes) {
      if (count == 0) {
        return "";
      }
      return "rejected "
          + count
          + " log record(s) too large for one Kafka record: alone with its resource and scope"
          + " a record must encode to at most "
          + maxValueBytes
          + " bytes (largest: "
          + largestValueBytes
          + " bytes)";
    }
  }
}
