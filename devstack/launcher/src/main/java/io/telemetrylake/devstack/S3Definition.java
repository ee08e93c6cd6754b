package io.telemetrylake.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** s3proxy on its filesystem backend: each bucket is a directory under {@code home}. */
final class S3Definition implements ServerDefinition {

  static final String MAIN_CLASS = "io.telemetrylake.devstack.s3.S3ProxyMain";

  private final Path home;
  private final Path runDir;
  private final int port;
  private final String accessKey;
  private final String secretKey;
  private final String bucket;

  S3Definition(
      Path home, Path runDir, int port, String accessKey, String secretKey, String bucket) {
    this.home = home;
    this.runDir = runDir;
    this.port = port;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.bucket = bucket;
  }

  @Override
  public String name() {
    return "s3";
  }

  URI endpoint() {
    return URI.create("http://" + Ports.HOST + ":" + port);
  }

  @Override
  public String address() {
    return endpoint().toString();
  }

  @Override
  public List<Integer> ports() {
    return List.of(port);
  }

  @Override
  public ChildSpec prepare() throws IOException {
    Files.createDirectories(home);
    Files.createDirectories(runDir);
    Path conf = runDir.resolve("s3proxy.conf");
    Files.writeString(conf, properties(), StandardCharsets.UTF_8);
    return new ChildSpec(
        name(),
        List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true"),
        MAIN_CLASS,
        List.of("--properties", conf.toString()));
  }

  String properties() {
    return String.join(
        "\n",
        "# written by the devstack launcher on every start",
        "s3proxy.endpoint=" + endpoint(),
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + accessKey,
        "s3proxy.credential=" + secretKey,
        "jclouds.provider=filesystem-nio2",
        "jclouds.filesystem.basedir=" + home.toString().replace("\\", "/"),
        "");
  }

  /** Any HTTP answer means the server listens (anonymous requests get 403). */
  @Override
  public void probe() throws Exception {
    Http.send(Http.request(endpoint()).GET().build());
  }

  /** The catalog's warehouse lives in this bucket; it must exist before the catalog starts. */
  @Override
  public void afterReady() throws Exception {
    S3Buckets.create(endpoint(), bucket, accessKey, secretKey);
  }
}
