package io.telemetrylake.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TopicDurabilityTest {
  @Test
  void threeReplicasWithMinIsrTwoAreDurable() {
    TopicDurability d = new TopicDurability(3, OptionalInt.of(2));
    assertThat(d.isDurable()).isTrue();
    assertThat(d.problems()).isEmpty();
  }

  @Test
  void aSingleReplicaIsNotDurable() {
    TopicDurability d = new TopicDurability(1, OptionalInt.of(2));
    assertThat(d.isDurable()).isFalse();
    assertThat(d.problems()).containsExactly("replication factor 1 < 2");
    assertThat(d.describe("otel-logs")).startsWith("topic otel-logs is not durable (replication factor 1 < 2)");
  }

  @Test
  void minIsrOfOneIsNotDurableEvenWithThreeReplicas() {
    TopicDurability d = new TopicDurability(3, OptionalInt.of(1));
    assertThat(d.problems()).containsExactly("min.insync.replicas 1 < 2");
  }

  @Test
  void anUnknownMinIsrIsReportedNotAssumed() {
    TopicDurability d = new TopicDurability(3, OptionalInt.empty());
    assertThat(d.isDurable()).isFalse();
    assertThat(d.problems()).singleElement().asString().contains("unknown");
  }

  @Test
  void bothShortfallsAreNamed() {
    assertThat(new TopicDurability(1, OptionalInt.of(1)).problems()).hasSize(2);
  }
}
