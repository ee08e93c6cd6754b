package io.telemetrylake.record;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a validated request of any signal ({@link OtlpShape}) into Kafka records: one per resource
 * message ({@code ResourceLogs}, {@code ResourceSpans}), keyed by {@link ResourceKeys}, each value
 * a request holding just that resource.
 *
 * <p>A value that would exceed {@code maxValueBytes} is split further, first between scopes (each
 * part keeps the resource, its schema URL and the whole scopes it holds), then, for a scope that
 * alone is too large, between its items (each part keeps the scope and its schema URL). Parts
 * are packed greedily in the original order, so items of a resource stay in order across the
 * parts, which share the key and therefore the partition. A single item that is too large
 * even alone (with its resource and scope) is rejected and counted. Resources and scopes without
 * items produce nothing.
 *
 * <p>Sizes are computed from protobuf's memoized sizes, without serializing anything twice.
 *
 * <p>When the caller still has the protobuf bytes the request was decoded from ({@link
 * #split(Message, byte[])}, the ingester's common case), a resource that goes whole into one
 * value is copied from those bytes instead of being serialized again: in a profile of the
 * ingester at full speed, re-encoding was about a sixth of its CPU time. The value then holds the
 * resource exactly as the client encoded it, which decodes to the same message (for a client
 * that encodes canonically, as the OpenTelemetry SDKs do, it is the same bytes too).
 */
public final class ResourceSplitter<Q extends Message, R extends Message, S extends Message, I extends Message> {
  private final OtlpShape<Q, R, S, I> shape;
  private final int requestResources;
  /** The tag of the request's resources field: length-delimited. */
  private final int resourcesTag;
  private final int resourceScopes;
  private final int scopeItems;
  private final int maxValueBytes;

  /**
   * @param maxValueBytes the largest value to produce; keep it below the producer's {@code
   *     max.request.size} and the topic's {@code max.message.bytes}, minus room for the key and the
   *     record overhead
   */
  public ResourceSplitter(OtlpShape<Q, R, S, I> shape, int maxValueBytes) {
    this.shape = shape;
    this.requestResources = shape.requestResourcesField();
    this.resourcesTag = (requestResources << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    this.resourceScopes = shape.resourceScopesField();
    this.scopeItems = shape.scopeItemsField();
    if (maxValueBytes <= 0) {
      throw new IllegalArgumentException("maxValueBytes must be positive: " + maxValueBytes);
    }
    this.maxValueBytes = maxValueBytes;
  }

  /**
   * The records of a request.
   *
   * @param records in request order; their {@code itemCount}s plus {@code rejectedLogRecords}
   *     add up to the request's record count
   * @param rejectedItems records that cannot fit into any value
   * @param errorMessage why they were rejected, for the partial-success response; empty when none
   */
  public record Split(List<KafkaRecord> records, int rejectedItems, String errorMessage) {
    public Split {
      records = List.copyOf(records);
    }
  }

  public Split split(Q request) {
    return split(request, null);
  }

  /**
   * Like {@link #split(Message)}, reusing the bytes the request was decoded from.
   *
   * @param encoded the protobuf encoding {@code request} was decoded from, unchanged, or null (e.g.
   *     for a request decoded from JSON, or changed since); bytes that do not line up with the
   *     request's resources are ignored, so passing them is never wrong, only useless
   */
  public Split split(Q request, byte[] encoded) {
    List<R> resourceList = shape.resources(request);
    int resources = resourceList.size();
    List<KafkaRecord> out = new ArrayList<>(resources);
    Rejections rejections = new Rejections();
    int[] slices = encoded == null ? null : resourceSlices(encoded, resources, resourcesTag);
    for (int i = 0; i < resources; i++) {
      if (slices != null && copyWhole(resourceList.get(i), encoded, slices[2 * i], slices[2 * i + 1], out)) {
        continue;
      }
      splitResource(resourceList.get(i), out, rejections);
    }
    return new Split(out, rejections.count, rejections.message(shape.itemsName(), maxValueBytes));
  }

  /**
   * The common case from the original bytes: a resource with records in every scope whose encoding
   * fits in one value becomes that value, its bytes copied. False when the resource needs the
   * general path (empty scopes to drop, too large, or no records at all).
   */
  private boolean copyWhole(R resourceLogs, byte[] encoded, int offset, int length, List<KafkaRecord> out) {
    int records = 0;
    for (S scopeLogs : shape.scopes(resourceLogs)) {
      int count = shape.itemCount(scopeLogs);
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
      output.writeTag(requestResources, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      output.writeUInt32NoTag(length);
      output.writeRawBytes(encoded, offset, length);
      output.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("value size miscomputed", e);
    }
    out.add(new KafkaRecord(ResourceKeys.keyOf(shape.resource(resourceLogs)), value, records));
    return true;
  }

  /**
   * Where each {@code resource_logs} field lies in an encoded request: offset and length of the
   * i-th one at [2i] and [2i+1]; null unless there are exactly {@code expected} of them in a
   * well-formed top level (other fields are skipped, as the decoder skipped them).
   */
  static int[] resourceSlices(byte[] encoded, int expected, int resourcesTag) {
    int[] slices = new int[2 * expected];
    int found = 0;
    CodedInputStream input = CodedInputStream.newInstance(encoded);
    try {
      while (!input.isAtEnd()) {
        int tag = input.readTag();
        if (tag == resourcesTag) {
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

  private void splitResource(R resourceLogs, List<KafkaRecord> out, Rejections rejections) {
    int records = 0;
    boolean emptyScopes = false;
    for (S scopeLogs : shape.scopes(resourceLogs)) {
      int count = shape.itemCount(scopeLogs);
      records += count;
      emptyScopes |= count == 0;
    }
    if (records == 0) {
      return;
    }
    byte[] key = ResourceKeys.keyOf(shape.resource(resourceLogs));
    R whole = emptyScopes ? withoutEmptyScopes(resourceLogs) : resourceLogs;
    if (valueSize(whole.getSerializedSize()) <= maxValueBytes) {
      // The common case: the resource as it came, no copy of its content.
      out.add(new KafkaRecord(key, encodeValue(whole), records));
      return;
    }
    R base = shape.withScopes(resourceLogs, List.of());
    int baseSize = base.getSerializedSize();
    Part part = new Part(key, base, baseSize);
    for (S scopeLogs : shape.scopes(whole)) {
      int scopeSize = CodedOutputStream.computeMessageSize(resourceScopes, scopeLogs);
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
      R base,
      int baseSize,
      S scopeLogs,
      List<KafkaRecord> out,
      Rejections rejections) {
    S scopeBase = shape.withItems(scopeLogs, List.of());
    int scopeBaseSize = scopeBase.getSerializedSize();
    List<I> scope = null;
    int scopeSize = scopeBaseSize;
    int records = 0;
    for (I record : shape.items(scopeLogs)) {
      int recordSize = CodedOutputStream.computeMessageSize(scopeItems, record);
      int aloneSize = valueSizeWithScope(baseSize, scopeBaseSize + recordSize);
      if (aloneSize > maxValueBytes) {
        rejections.add(aloneSize);
        continue;
      }
      if (records > 0 && valueSizeWithScope(baseSize, scopeSize + recordSize) > maxValueBytes) {
        out.add(value(key, base, shape.withItems(scopeBase, scope), records));
        scope = null;
        scopeSize = scopeBaseSize;
        records = 0;
      }
      if (scope == null) {
        scope = new ArrayList<>();
      }
      scope.add(record);
      scopeSize += recordSize;
      records++;
    }
    if (records > 0) {
      out.add(value(key, base, shape.withItems(scopeBase, scope), records));
    }
  }

  private KafkaRecord value(byte[] key, R base, S scope, int records) {
    return new KafkaRecord(key, encodeValue(shape.withScopes(base, List.of(scope))), records);
  }

  private byte[] encodeValue(R resource) {
    return shape.request(resource).toByteArray();
  }

  private R withoutEmptyScopes(R resourceLogs) {
    List<S> kept = new ArrayList<>();
    for (S scopeLogs : shape.scopes(resourceLogs)) {
      if (shape.itemCount(scopeLogs) > 0) {
        kept.add(scopeLogs);
      }
    }
    return shape.withScopes(resourceLogs, kept);
  }

  /** Size of the value holding a resource message of the given serialized size. */
  private int valueSize(int resourceSize) {
    return lengthDelimitedSize(requestResources, resourceSize);
  }

  /** Size of the value holding the resource base plus one scope message of the given size. */
  private int valueSizeWithScope(int baseSize, int scopeSize) {
    return valueSize(baseSize + lengthDelimitedSize(resourceScopes, scopeSize));
  }

  private static int lengthDelimitedSize(int fieldNumber, int size) {
    // Sizes of requests that passed the body limit stay far below 2 GiB: int cannot overflow.
    return CodedOutputStream.computeTagSize(fieldNumber)
        + CodedOutputStream.computeUInt32SizeNoTag(size)
        + size;
  }

  /** A value being packed with whole scopes of one resource. */
  private final class Part {
    private final byte[] key;
    private final R base;
    private final int baseSize;
    private List<S> scopes;
    int size;
    private int records;

    Part(byte[] key, R base, int baseSize) {
      this.key = key;
      this.base = base;
      this.baseSize = baseSize;
      this.size = baseSize;
    }

    void add(S scopeLogs, int scopeSize) {
      if (scopes == null) {
        scopes = new ArrayList<>();
      }
      scopes.add(scopeLogs);
      size += scopeSize;
      records += shape.itemCount(scopeLogs);
    }

    void flushTo(List<KafkaRecord> out) {
      if (records > 0) {
        out.add(new KafkaRecord(key, encodeValue(shape.withScopes(base, scopes)), records));
      }
      scopes = null;
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

    String message(String itemsName, int maxValueBytes) {
      if (count == 0) {
        return "";
      }
      return "rejected "
          + count
          + " " + itemsName + " too large for one Kafka record: alone with its resource and scope"
          + " a record must encode to at most "
          + maxValueBytes
          + " bytes (largest: "
          + largestValueBytes
          + " bytes)";
    }
  }
}
