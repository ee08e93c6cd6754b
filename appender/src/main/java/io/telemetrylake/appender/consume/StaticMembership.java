package io.telemetrylake.appender.consume;

import java.util.Optional;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.FencedInstanceIdException;

/**
 * What static group membership (APPENDER_INSTANCE_ID as {@code group.instance.id}) means for
 * stopping. Kafka keeps a static member that closes without leaving until its session times
 * out, so that a restart gets the same partitions back without a rebalance.
 *
 * <p>A graceful stop has flushed and committed everything staged first; it leaves the group so
 * its partitions move at once (scale-down, rolling update) instead of idling for the session
 * timeout. After a fatal error the process is about to be restarted: it stays a member and its
 * replacement resumes the same partitions. A fenced member must not leave in any case: its id now
 * belongs to the process that fenced it.
 */
final class StaticMembership {
  private StaticMembership() {}

  static CloseOptions closeOptions(boolean fatal) {
    return CloseOptions.groupMembershipOperation(
        fatal ? GroupMembershipOperation.REMAIN_IN_GROUP : GroupMembershipOperation.LEAVE_GROUP);
  }

  /**
   * For an error caused by another consumer joining with this instance id: one line telling the
   * operator which setting collides (empty for every other error).
   */
  static Optional<String> explainFencing(Throwable error, String instanceId) {
    for (Throwable c = error; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof FencedInstanceIdException) {
        return Optional.of(
            "another appender joined the consumer group with the same APPENDER_INSTANCE_ID '"
                + instanceId
                + "' and fenced this one: give every appender process its own"
                + " APPENDER_INSTANCE_ID (default: the host name)");
      }
    }
    return Optional.empty();
  }

  /** The consumer's group instance id, for messages ("?" when it cannot tell). */
  static String instanceId(Consumer<?, ?> consumer) {
    try {
      return consumer.groupMetadata().groupInstanceId().orElse("?");
    } catch (RuntimeException e) {
      return "?";
    }
  }
}
