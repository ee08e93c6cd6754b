package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.stage.StagingException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Which exceptions stop the appender. Fatal: configuration or permission problems that retrying
 * cannot fix, a broken local staging database, errors. The process exits non-zero and is
 * restarted; staging is disposable, the offsets are in the table. Everything else is logged and
 * the loop goes on (flush failures are handled with backoff where they happen).
 */
final class LoopErrors {
  private LoopErrors() {}

  /** Looks through wrappers too: the consumer wraps what a rebalance callback throws. */
  static boolean isFatal(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (isFatalItself(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * For a failed flush, DuckDB errors are not fatal: the COPY only reads the staging tables, and
   * the rows stay for the next attempt (a broken database then fails the next append, which is;
   * flushes that keep failing on it are, see {@link StagingFaults}).
   */
  static boolean isFatalForFlush(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (!(c instanceof StagingException) && isFatalItself(c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isFatalItself(Throwable t) {
    return t instanceof Error
        || t instanceof AuthenticationException
        || t instanceof AuthorizationException
        || t instanceof InvalidGroupIdException
        || t instanceof FencedInstanceIdException
        || t instanceof UnsupportedVersionException
        || t instanceof InterruptException
        || t instanceof StagingException;
  }
}
