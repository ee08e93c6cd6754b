package io.telemetrylake.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KafkaLogRecordTest {

  @Test
  void comparesArrayContents() {
    KafkaLogRecord one = new KafkaLogRecord(new byte[] {'k'}, new byte[] {1, 2}, 1);
    KafkaLogRecord same = new KafkaLogRecord(new byte[] {'k'}, new byte[] {1, 2}, 1);

    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(one).isNotEqualTo(new KafkaLogRecord(new byte[] {'k'}, new byte[] {1, 3}, 1));
    assertThat(one).isNotEqualTo(new KafkaLogRecord(new byte[] {'j'}, new byte[] {1, 2}, 1));
    assertThat(one).isNotEqualTo(new KafkaLogRecord(new byte[] {'k'}, new byte[] {1, 2}, 2));
  }

  @Test
  void printsSizesNotContent() {
    assertThat(new KafkaLogRecord("abc".getBytes(), new byte[1000], 3))
        .hasToString("KafkaLogRecord[key=abc, value=1000 bytes, logRecordCount=3]");
  }

  @Test
  void rejectsNullsAndNegativeCounts() {
    assertThatThrownBy(() -> new KafkaLogRecord(null, new byte[0], 0))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new KafkaLogRecord(new byte[0], new byte[0], -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
