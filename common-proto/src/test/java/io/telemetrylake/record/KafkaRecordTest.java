package io.telemetrylake.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KafkaRecordTest {

  @Test
  void comparesArrayContents() {
    KafkaRecord one = new KafkaRecord(new byte[] {'k'}, new byte[] {1, 2}, 1);
    KafkaRecord same = new KafkaRecord(new byte[] {'k'}, new byte[] {1, 2}, 1);

    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(one).isNotEqualTo(new KafkaRecord(new byte[] {'k'}, new byte[] {1, 3}, 1));
    assertThat(one).isNotEqualTo(new KafkaRecord(new byte[] {'j'}, new byte[] {1, 2}, 1));
    assertThat(one).isNotEqualTo(new KafkaRecord(new byte[] {'k'}, new byte[] {1, 2}, 2));
  }

  @Test
  void printsSizesNotContent() {
    assertThat(new KafkaRecord("abc".getBytes(), new byte[1000], 3))
        .hasToString("KafkaRecord[key=abc, value=1000 bytes, itemCount=3]");
  }

  @Test
  void rejectsNullsAndNegativeCounts() {
    assertThatThrownBy(() -> new KafkaRecord(null, new byte[0], 0))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new KafkaRecord(new byte[0], new byte[0], -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
