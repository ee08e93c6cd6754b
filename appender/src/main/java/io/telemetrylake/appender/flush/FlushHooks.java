package io.telemetrylake.appender.flush;

/**
 * The points of a flush where a test may step in (the crash tests halt the JVM there, see {@link
 * CrashHooks}). Production runs with {@link #NONE}: no setting, no branch in the flush code.
 */
public interface FlushHooks {
  FlushHooks NONE = new FlushHooks() {};

  /** The files are written locally and listed in the upload journal; nothing is uploaded yet. */
  default void beforeUpload() {}

  /** Every file is uploaded; nothing is committed yet. */
  default void afterUpload() {}

  /** The commit is in the table; staging is not cleared and Kafka's group offsets not committed. */
  default void afterCommit() {}
}
