package io.telemetrylake.appender.iceberg;

import java.util.Map;
import java.util.Optional;

/**
 * The offsets a table holds for one group and topic, and where they were found.
 *
 * @param snapshotId the snapshot whose summary carried them; empty when they came from the table
 *     property (older snapshots expired) or nothing was recorded yet
 */
public record RecordedOffsets(Map<Integer, Long> offsets, Source source, Optional<Long> snapshotId) {
  /** Where the offsets were read from. */
  public enum Source {
    SNAPSHOT,
    TABLE_PROPERTY,
    NONE
  }

  public RecordedOffsets {
    offsets = Map.copyOf(offsets);
  }

  public static RecordedOffsets none() {
    return new RecordedOffsets(Map.of(), Source.NONE, Optional.empty());
  }
}
