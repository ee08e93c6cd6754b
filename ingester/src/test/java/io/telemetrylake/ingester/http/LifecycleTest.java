package io.telemetrylake.ingester.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void refusesNewRequestsOnceDraining() throws Exception {
    Lifecycle lifecycle = new Lifecycle();

    assertThat(lifecycle.drain(Duration.ZERO)).isTrue();

    assertThat(lifecycle.enter()).isFalse();
    assertThat(lifecycle.activeRequests()).isZero();
  }

  @Test
  void drainWaitsForRequestsInProgress() throws Exception {
    Lifecycle lifecycle = new Lifecycle();
    assertThat(lifecycle.enter()).isTrue();

    CompletableFuture<Boolean> drained =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return lifecycle.drain(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    org.awaitility.Awaitility.await().until(lifecycle::draining);
    assertThat(drained).isNotDone();

    lifecycle.exit();

    assertThat(drained.get()).isTrue();
  }

  @Test
  void drainGivesUpAfterTheTimeout() throws Exception {
    Lifecycle lifecycle = new Lifecycle();
    lifecycle.enter();

    assertThat(lifecycle.drain(Duration.ofMillis(50))).isFalse();
  }
}
