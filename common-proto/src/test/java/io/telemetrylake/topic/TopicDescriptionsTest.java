package io.telemetrylake.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

class TopicDescriptionsTest {
  private static final String TOPIC = "otel-logs";
  private static final ConfigResource RESOURCE = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);

  private final AtomicInteger calls = new AtomicInteger();

  @Test
  void aBrokerThatDoesNotKnowANewTopicYetIsAskedAgain() throws Exception {
    Admin admin = admin(notKnownYet(), notKnownYet(), minIsr(2));

    TopicDurability durability = TopicDescriptions.durability(admin, threeReplicas(), 5_000);

    assertThat(durability).isEqualTo(new TopicDurability(3, OptionalInt.of(2)));
    assertThat(calls).hasValue(3);
  }

  @Test
  void aRefusalIsReportedAsUnknownAtOnce() throws Exception {
    Admin admin = admin(failed(new TopicAuthorizationException("no DescribeConfigs")), minIsr(2));

    TopicDurability durability = TopicDescriptions.durability(admin, threeReplicas(), 5_000);

    assertThat(durability.isDurable()).isFalse();
    assertThat(durability.problems()).singleElement().asString().contains("unknown");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aTopicStillUnknownAtTheDeadlineIsReportedAsUnknown() throws Exception {
    Admin admin = admin(notKnownYet(), notKnownYet(), minIsr(2));

    TopicDurability durability =
        TopicDescriptions.durability(admin, threeReplicas(), TopicDescriptions.RETRY_BACKOFF_MS / 2);

    assertThat(durability.problems()).singleElement().asString().contains("unknown");
    assertThat(calls).hasValue(1);
  }

  @SafeVarargs
  private Admin admin(KafkaFuture<Config>... answers) {
    Deque<KafkaFuture<Config>> left = new ArrayDeque<>(List.of(answers));
    return (Admin)
        Proxy.newProxyInstance(
            Admin.class.getClassLoader(),
            new Class<?>[] {Admin.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("describeConfigs")) {
                throw new UnsupportedOperationException(method.getName());
              }
              calls.incrementAndGet();
              return new DescribeConfigsResult(Map.of(RESOURCE, left.removeFirst())) {};
            });
  }

  private static KafkaFuture<Config> notKnownYet() {
    return failed(new UnknownTopicOrPartitionException("this broker does not know the topic yet"));
  }

  private static KafkaFuture<Config> failed(RuntimeException e) {
    KafkaFutureImpl<Config> future = new KafkaFutureImpl<>();
    future.completeExceptionally(e);
    return future;
  }

  private static KafkaFuture<Config> minIsr(int value) {
    return KafkaFuture.completedFuture(
        new Config(List.of(new ConfigEntry("min.insync.replicas", Integer.toString(value)))));
  }

  private static TopicDescription threeReplicas() {
    List<Node> nodes = List.of(new Node(1, "a", 1), new Node(2, "b", 2), new Node(3, "c", 3));
    return new TopicDescription(
        TOPIC, false, List.of(new TopicPartitionInfo(0, nodes.get(0), nodes, nodes)));
  }
}
