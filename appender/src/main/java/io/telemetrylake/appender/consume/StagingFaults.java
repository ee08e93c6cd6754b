package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.stage.StagingException;

/**
 * When flushes failing on the staging database mean it will not recover. One such failure is
 * retried (the rows stay staged), but a full staging disk or a DuckDB that keeps running out of
 * memory fails every retry the same way, and the loop would stay up without committing anything.
 * After {@link #LIMIT} of them in a row the loop dies instead: the restart starts from an empty
 * staging directory and reads the rows again from the table's offsets.
 */
final class StagingFaults {
  static final int LIMIT = 3;

  private int consecutive;

  /** A flush committed (or was fenced): staging works. */
  void succeeded() {
    consecutive = 0;
  }

  /** A flush failed; true when staging failed {@link #LIMIT} flushes in a row. */
  boolean brokenAfter(Throwable failure) {
    if (!isStaging(failure)) {
      // S3 or the catalog: nothing to say about staging
      consecutive = 0;
      return false;
    }
    return ++consecutive >= LIMIT;
  }

  private static boolean isStaging(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StagingException) {
        return true;
      }
    }
    return false;
  }
}
