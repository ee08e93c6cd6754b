package io.telemetrylake.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class OtlpSamplesTest {

  @Test
  void listsEverySampleFileInTheFolder() throws URISyntaxException {
    assertThat(filesIn("valid")).containsExactlyInAnyOrderElementsOf(OtlpSamples.VALID);
    assertThat(filesIn("invalid")).containsExactlyInAnyOrderElementsOf(OtlpSamples.INVALID);
  }

  private static String[] filesIn(String folder) throws URISyntaxException {
    File dir = new File(Objects.requireNonNull(OtlpSamples.class.getResource("/otlp-samples/" + folder)).toURI());
    return Arrays.stream(Objects.requireNonNull(dir.listFiles())).map(File::getName).toArray(String[]::new);
  }
}
