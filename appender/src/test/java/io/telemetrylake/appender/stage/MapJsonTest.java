package io.telemetrylake.appender.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapJsonTest {

  @Test
  void encodesAnEmptyMapAsAnEmptyObject() {
    assertThat(MapJson.encode(Map.of())).isEqualTo("{}");
  }

  @Test
  void escapesEverythingJsonNeedsAndRoundTrips() throws Exception {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("quote\"back\\slash", "line\nfeed\rtab\tbell\u0007");
    map.put("unicode \u00e9\u4e2d\ud83d\ude00", "{\"json\":[1,2]}");
    map.put("null-value", null);

    String json = MapJson.encode(map);

    Map<String, String> back = new ObjectMapper().readValue(json, new TypeReference<>() {});
    assertThat(back).isEqualTo(map);
  }
}
