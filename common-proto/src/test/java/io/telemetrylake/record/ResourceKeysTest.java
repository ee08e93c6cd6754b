package io.telemetrylake.record;

import static io.telemetrylake.otlp.SampleRequests.attribute;
import static io.telemetrylake.otlp.SampleRequests.integer;
import static io.telemetrylake.otlp.SampleRequests.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.SampleRequests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceKeysTest {

  private static String key(Resource resource) {
    return new String(ResourceKeys.keyOf(resource), StandardCharsets.US_ASCII);
  }

  private static AnyValue kvlist(KeyValue... values) {
    KeyValueList.Builder list = KeyValueList.newBuilder();
    for (KeyValue value : values) {
      list.addValues(value);
    }
    return AnyValue.newBuilder().setKvlistValue(list).build();
  }

  private static AnyValue array(AnyValue... values) {
    ArrayValue.Builder array = ArrayValue.newBuilder();
    for (AnyValue value : values) {
      array.addValues(value);
    }
    return AnyValue.newBuilder().setArrayValue(array).build();
  }

  @Test
  void keyIsSixteenLowerCaseHexCharacters() {
    assertThat(key(resource(attribute("service.name", "checkout")))).matches("[0-9a-f]{16}");
  }

  @Test
  void keyIsStableAcrossProcessesAndVersions() {
    // Golden values, computed independently (Python hashlib) from the canonical form in the
    // Javadoc and README. If this fails, records of one resource would move to a new partition.
    assertThat(key(resource(attribute("service.name", "checkout")))).isEqualTo("377fce4ed64a2ffe");
    assertThat(key(Resource.getDefaultInstance())).isEqualTo("df3f619804a92fdb");
  }

  @Test
  void sameAttributesInADifferentOrderGiveTheSameKey() {
    List<KeyValue> attributes =
        new ArrayList<>(
            List.of(
                attribute("service.name", "checkout"),
                attribute("host.name", "host-1"),
                attribute("k8s.pod.uid", "9f2d"),
                attribute("process.pid", integer(42)),
                attribute("labels", kvlist(attribute("b", "2"), attribute("a", "1")))));
    String expected = key(Resource.newBuilder().addAllAttributes(attributes).build());

    Random random = new Random(7);
    for (int i = 0; i < 20; i++) {
      Collections.shuffle(attributes, random);
      assertThat(key(Resource.newBuilder().addAllAttributes(attributes).build())).isEqualTo(expected);
    }
  }

  @Test
  void orderInsideNestedKeyValueListsDoesNotMatter() {
    Resource one = resource(attribute("m", kvlist(attribute("a", "1"), attribute("b", "2"))));
    Resource other = resource(attribute("m", kvlist(attribute("b", "2"), attribute("a", "1"))));

    assertThat(key(one)).isEqualTo(key(other));
  }

  @Test
  void orderInsideArraysMatters() {
    Resource one = resource(attribute("a", array(SampleRequests.string("x"), SampleRequests.string("y"))));
    Resource other = resource(attribute("a", array(SampleRequests.string("y"), SampleRequests.string("x"))));

    assertThat(key(one)).isNotEqualTo(key(other));
  }

  @Test
  void differentResourcesGetDifferentKeys() {
    List<Resource> resources =
        List.of(
            Resource.getDefaultInstance(),
            resource(attribute("service.name", "checkout")),
            resource(attribute("service.name", "payments")),
            resource(attribute("service.name", "")),
            resource(attribute("service.nam", "echeckout")),
            resource(attribute("service.name", integer(1))),
            resource(attribute("service.name", "1")),
            resource(attribute("service.name", AnyValue.newBuilder().setDoubleValue(1).build())),
            resource(attribute("service.name", AnyValue.newBuilder().setBoolValue(true).build())),
            resource(
                attribute(
                    "service.name",
                    AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("1")).build())),
            resource(attribute("service.name", array(SampleRequests.string("1")))),
            resource(attribute("service.name", kvlist(attribute("1", "")))),
            resource(attribute("service.name", AnyValue.getDefaultInstance())),
            resource(attribute("service.name", AnyValue.newBuilder().setStringValueStrindex(1).build())),
            resource(attribute("service.name", "checkout"), attribute("host.name", "h")),
            resource(attribute("service.name", "checkout"), attribute("service.name", "checkout")),
            resource(attribute("a", "b"), attribute("c", "")),
            resource(attribute("a", ""), attribute("bc", "")));
    Set<String> keys = new HashSet<>();
    for (Resource resource : resources) {
      keys.add(key(resource));
    }

    assertThat(keys).hasSize(resources.size());
  }

  @Test
  void onlyAttributesMakeTheKey() {
    Resource plain = resource(attribute("service.name", "checkout"));
    Resource withExtras =
        plain.toBuilder()
            .setDroppedAttributesCount(5)
            .addEntityRefs(io.opentelemetry.proto.common.v1.EntityRef.newBuilder().setType("service"))
            .build();

    assertThat(key(withExtras)).isEqualTo(key(plain));
  }

  @Test
  void richResourceGetsAKey() {
    Resource rich = SampleRequests.rich().getResourceLogs(0).getResource();

    assertThat(key(rich)).matches("[0-9a-f]{16}").isEqualTo(key(rich.toBuilder().build()));
  }
}
