package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FlushRequestsTest {
  private final FlushRequests requests = new FlushRequests();

  @Test
  void requestsBeforeTheFlushCompletesShareOneFuture() {
    CompletableFuture<FlushReport> first = requests.request(FlushTrigger.SIGNAL);
    CompletableFuture<FlushReport> second = requests.request(FlushTrigger.HTTP);

    assertThat(second).isSameAs(first);
    assertThat(requests.next()).contains(FlushTrigger.SIGNAL);
    FlushReport report = FlushReport.empty(FlushTrigger.SIGNAL, 1);
    requests.completeAll(report);

    assertThat(first).isCompletedWithValue(report);
    assertThat(requests.next()).isEmpty();
    assertThat(requests.request(FlushTrigger.HTTP)).isNotSameAs(first).isNotDone();
  }

  @Test
  void afterCloseRequestsFailAtOnce() {
    CompletableFuture<FlushReport> pending = requests.request(FlushTrigger.HTTP);
    requests.close(FlushReport.empty(FlushTrigger.SHUTDOWN, 1));

    assertThat(pending).isDone();
    assertThat(requests.request(FlushTrigger.HTTP).join().outcome()).isEqualTo(FlushReport.Outcome.FAILED);
  }
}
