package io.telemetrylake.appender.iceberg;

/**
 * The catalog may or may not have applied a commit (the request failed in flight, or the catalog
 * answered 5xx). Its files must stay until the commit id is found in the table, or known absent.
 */
public final class CommitUnknownException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String commitId;

  public CommitUnknownException(String commitId, Throwable cause) {
    super("commit " + commitId + " may or may not have been applied: " + cause.getMessage(), cause);
    this.commitId = commitId;
  }

  public String commitId() {
    return commitId;
  }
}
