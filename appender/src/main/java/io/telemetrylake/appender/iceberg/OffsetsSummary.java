package io.telemetrylake.appender.iceberg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * The consumer offsets an appender commit records in the snapshot summary (and in a table
 * property, see {@link TableOffsets}): under {@code telemetry-lake.offsets.<group>.<topic>} a JSON
 * object {@code {"<partition>": <next offset>, ...}} holding every partition the group has ever
 * committed for that topic, not only the partitions of that commit. The newest snapshot carrying
 * the key is therefore enough to resume, whatever happened to older snapshots.
 */
public final class OffsetsSummary {
  /** Summary key prefix; the full key adds {@code <group>.<topic>}. */
  public static final String KEY_PREFIX = "telemetry-lake.offsets.";

  /** Summary key of the flush attempt that made a snapshot: finds a commit whose outcome is unknown. */
  public static final String COMMIT_ID_KEY = "telemetry-lake.commit-id";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OffsetsSummary() {}

  public static String key(String groupId, String topic) {
    return KEY_PREFIX + groupId + "." + topic;
  }

  /** Partition to next offset, sorted by partition. */
  public static String format(Map<Integer, Long> offsets) {
    ObjectNode node = JSON.createObjectNode();
    new TreeMap<>(offsets).forEach((p, o) -> node.put(Integer.toString(p), o));
    return node.toString();
  }

  /**
   * Reads a value written by {@link #format}.
   *
   * @throws IllegalArgumentException when it is not an object of non-negative partition numbers
   *     to non-negative offsets: resuming from a guess would lose or duplicate rows
   */
  public static Map<Integer, Long> parse(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("offsets are not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("offsets must be a JSON object, got " + json);
    }
    Map<Integer, Long> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      int partition;
      try {
        partition = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("offsets: '" + e.getKey() + "' is not a partition number");
      }
      JsonNode offset = e.getValue();
      if (partition < 0 || !offset.canConvertToLong() || !offset.isIntegralNumber() || offset.asLong() < 0) {
        throw new IllegalArgumentException(
            "offsets: partition " + e.getKey() + " has no valid offset: " + offset);
      }
      out.put(partition, offset.asLong());
    }
    return out;
  }

  /** The recorded map with this batch's partitions set to their new next offsets. */
  public static Map<Integer, Long> merge(Map<Integer, Long> recorded, Map<Integer, Long> batch) {
    Map<Integer, Long> out = new TreeMap<>(recorded);
    out.putAll(batch);
    return out;
  }
}
