package io.telemetrylake.ingester.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for reading a whole request body. The idle timeout only fires when a client sends
 * nothing; one that trickles a byte now and then would hold a thread (and its reservation) for
 * ever. Past the deadline every read fails, and a read still blocked then is woken by aborting the
 * connection.
 */
final class BodyDeadline implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final Duration deadline;

  BodyDeadline(Duration deadline) {
    this.deadline = deadline;
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "ingester-body-deadline");
      t.setDaemon(true);
      return t;
    });
    // Most bodies are read long before their deadline: drop cancelled tasks at once.
    executor.setRemoveOnCancelPolicy(true);
    this.timer = executor;
  }

  Duration deadline() {
    return deadline;
  }

  /** The body, failing once the deadline has passed; {@code abort} runs if it passes mid-read. */
  Bounded start(InputStream body, Runnable abort) {
    return new Bounded(body, System.nanoTime() + deadline.toNanos(), timer.schedule(abort, deadline.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** The body stream of one request; close it (or {@link #done()}) once the body is read. */
  final class Bounded extends FilterInputStream {
    private final long deadlineNanos;
    private final ScheduledFuture<?> abort;

    private Bounded(InputStream in, long deadlineNanos, ScheduledFuture<?> abort) {
      super(in);
      this.deadlineNanos = deadlineNanos;
      this.abort = abort;
    }

    @Override
    public int read() throws IOException {
      check();
      return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      check();
      return super.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
      check();
      return super.skip(n);
    }

    private void check() throws InterruptedIOException {
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new InterruptedIOException("the request body was not received within " + deadline.toSeconds() + " s");
      }
    }

    /** The body is read: the connection is no longer aborted at the deadline. */
    void done() {
      abort.cancel(false);
    }

    @Override
    public void close() {
      // The container owns the body stream.
      done();
    }
  }
}
