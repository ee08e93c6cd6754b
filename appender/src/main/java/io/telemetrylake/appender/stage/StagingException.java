package io.telemetrylake.appender.stage;

/** DuckDB failed on the local staging database: a local fault (disk, memory), not bad input. */
public final class StagingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StagingException(String message, Throwable cause) {
    super(message, cause);
  }
}
