package io.telemetrylake.appender.consume;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class StaticMembershipTest {

  @Test
  void aGracefulStopLeavesTheGroupSoItsPartitionsMoveAtOnce() {
    assertThat(StaticMembership.closeOptions(false).groupMembershipOperation())
        .isEqualTo(GroupMembershipOperation.LEAVE_GROUP);
  }

  @Test
  void aFatalStopStaysInTheGroupForTheRestartToResume() {
    assertThat(StaticMembership.closeOptions(true).groupMembershipOperation())
        .isEqualTo(GroupMembershipOperation.REMAIN_IN_GROUP);
  }

  @Test
  void fencingByADuplicateInstanceIdNamesTheSettingAndTheId() {
    KafkaException wrapped =
        new KafkaException("rebalance failed", new FencedInstanceIdException("fenced"));

    assertThat(StaticMembership.explainFencing(wrapped, "appender-0"))
        .hasValueSatisfying(line -> assertThat(line)
            .contains("same APPENDER_INSTANCE_ID 'appender-0'")
            .contains("give every appender process its own APPENDER_INSTANCE_ID"));
  }

  @Test
  void otherErrorsAreNotExplainedAsFencing() {
    assertThat(StaticMembership.explainFencing(new TimeoutException("slow"), "appender-0")).isEmpty();
  }
}
