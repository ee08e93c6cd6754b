package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Flush requests from other threads (SIGUSR1, POST /flush) handed to the poll-loop thread, the only
 * one that touches DuckDB and the consumer. Requests that arrive while a flush is pending share
 * its outcome.
 */
public final class FlushRequests {
  private final List<Pending> pending = new ArrayList<>();
  private boolean closed;

  private record Pending(FlushTrigger trigger, CompletableFuture<FlushReport> result) {}

  /** Asks for a flush; the future completes once it is committed (or failed). */
  public synchronized CompletableFuture<FlushReport> request(FlushTrigger trigger) {
    CompletableFuture<FlushReport> result = new CompletableFuture<>();
    if (closed) {
      result.complete(FlushReport.failed(trigger, "the appender is shutting down", 0, System.currentTimeMillis()));
      return result;
    }
    pending.add(new Pending(trigger, result));
    return result;
  }

  /** The trigger of the oldest pending request. */
  synchronized Optional<FlushTrigger> next() {
    return pending.isEmpty() ? Optional.empty() : Optional.of(pending.get(0).trigger());
  }

  /** Completes every pending request with this flush's report. */
  void completeAll(FlushReport report) {
    List<Pending> done;
    synchronized (this) {
      done = new ArrayList<>(pending);
      pending.clear();
    }
    done.forEach(p -> p.result().complete(report));
  }

  /** No more requests: the loop is exiting. Pending ones get the last report. */
  void close(FlushReport last) {
    synchronized (this) {
      closed = true;
    }
    completeAll(last);
  }
}
