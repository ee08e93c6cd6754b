package io.telemetrylake.appender.flush;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Flush requests from other threads (SIGUSR1, POST /flush) handed to the poll-loop thread, the only
 * one that touches DuckDB and the consumer. Every request made before the pending flush completes
 * joins it: all get the same future, so any number of concurrent requests costs one flush and one
 * object.
 */
public final class FlushRequests {
  private Pending pending;
  private boolean closed;

  private record Pending(FlushTrigger trigger, CompletableFuture<FlushReport> result) {}

  /** Asks for a flush; the future completes once it is committed (or failed). */
  public synchronized CompletableFuture<FlushReport> request(FlushTrigger trigger) {
    if (closed) {
      return CompletableFuture.completedFuture(
          FlushReport.failed(trigger, "the appender is shutting down", 0, System.currentTimeMillis()));
    }
    if (pending == null) {
      pending = new Pending(trigger, new CompletableFuture<>());
    }
    return pending.result();
  }

  /** The trigger of the first request of the pending flush. */
  public synchronized Optional<FlushTrigger> next() {
    return pending == null ? Optional.empty() : Optional.of(pending.trigger());
  }

  /**
   * Completes the pending flush's future with this report. Requests that arrived while it ran
   * joined it: nothing could be staged meanwhile, since staging is this same thread's job.
   */
  public void completeAll(FlushReport report) {
    Pending done;
    synchronized (this) {
      done = pending;
      pending = null;
    }
    if (done != null) {
      done.result().complete(report);
    }
  }

  /** No more requests: the loop is exiting. A pending one gets the last report. */
  public void close(FlushReport last) {
    synchronized (this) {
      closed = true;
    }
    completeAll(last);
  }
}
