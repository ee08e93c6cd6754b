package io.telemetrylake.tools.send;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SendCommandTest {

  @Test
  void gzipsByDefaultAndPlainWithNoGzip() {
    SendCommand byDefault = new SendCommand();
    new CommandLine(byDefault).parseArgs();
    SendCommand plain = new SendCommand();
    new CommandLine(plain).parseArgs("--no-gzip");
    SendCommand explicit = new SendCommand();
    new CommandLine(explicit).parseArgs("--gzip");

    assertThat(byDefault.gzip).isTrue();
    assertThat(plain.gzip).isFalse();
    assertThat(explicit.gzip).isTrue();
  }
}
