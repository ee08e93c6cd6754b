package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import io.telemetrylake.samples.Codings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestBodiesTest {
  private static final byte[] BODY = "{\"resourceLogs\":[]}".getBytes(StandardCharsets.UTF_8);

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  private static OtlpDecodeException failure(InputStream body, String encoding, long limit) {
    OtlpDecodeException e =
        catchThrowableOfType(
            OtlpDecodeException.class, () -> RequestBodies.read(body, encoding, limit));
    assertThat(e).as("expected the body to be refused").isNotNull();
    return e;
  }

  /** Serves its bytes a few at a time and never knows how many remain, like a chunked body. */
  private static final class ChunkedStream extends InputStream {
    private final byte[] data;
    private final int chunk;
    private int position;
    int bytesServed;
    boolean closed;

    ChunkedStream(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (position >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(length, chunk), data.length - position);
      System.arraycopy(data, position, buffer, offset, n);
      position += n;
      bytesServed += n;
      return n;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Fails like a connection reset after some bytes. */
  private static final class FailingStream extends InputStream {
    private final InputStream start;

    FailingStream(byte[] start) {
      this.start = new ByteArrayInputStream(start);
    }

    @Override
    public int read() throws IOException {
      int b = start.read();
      if (b < 0) {
        throw new IOException("connection reset");
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = start.read(buffer, offset, length);
      if (n < 0) {
        throw new IOException("connection reset");
      }
      return n;
    }
  }

  // ---- identity -----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"identity", "", " Identity "})
  void readsIdentityBody(String encoding) throws Exception {
    assertThat(RequestBodies.read(new ByteArrayInputStream(BODY), encoding, 1000)).isEqualTo(BODY);
  }

  @Test
  void readsBodyWithoutContentEncodingHeader() throws Exception {
    assertThat(RequestBodies.read(new ByteArrayInputStream(BODY), null, 1000)).isEqualTo(BODY);
  }

  @Test
  void readsChunkedBodyIncrementally() throws Exception {
    byte[] data = randomBytes(100_000);

    assertThat(RequestBodies.read(new ChunkedStream(data, 7), null, 100_000)).isEqualTo(data);
  }

  @Test
  void readsEmptyBody() throws Exception {
    assertThat(RequestBodies.read(new ByteArrayInputStream(new byte[0]), null, 10)).isEmpty();
  }

  @Test
  void acceptsIdentityBodyOfExactlyTheLimit() throws Exception {
    assertThat(RequestBodies.read(new ByteArrayInputStream(BODY), null, BODY.length)).isEqualTo(BODY);
  }

  @Test
  void rejectsOversizedIdentityBodyWithoutReadingItAll() {
    ChunkedStream body = new ChunkedStream(randomBytes(1_000_000), 1000);

    OtlpDecodeException e = failure(body, null, 10_000);

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessage("request body exceeds the limit of 10000 bytes");
    assertThat(body.bytesServed).isLessThan(20_000);
  }

  // ---- gzip ---------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "x-gzip", "GZIP", " gzip "})
  void readsGzipBody(String encoding) throws Exception {
    byte[] body = RequestBodies.read(new ByteArrayInputStream(gzip(BODY)), encoding, 1000);

    assertThat(body).isEqualTo(BODY);
  }

  @Test
  void readsChunkedGzipBodyIncrementally() throws Exception {
    byte[] data = randomBytes(300_000);

    assertThat(RequestBodies.read(new ChunkedStream(gzip(data), 13), "gzip", 300_000))
        .isEqualTo(data);
  }

  @Test
  void acceptsGzipBodyThatInflatesToExactlyTheLimit() throws Exception {
    byte[] data = randomBytes(5000);

    assertThat(RequestBodies.read(new ByteArrayInputStream(gzip(data)), "gzip", 5000)).isEqualTo(data);
  }

  @Test
  void rejectsGzipThatInflatesBeyondTheLimit() throws Exception {
    OtlpDecodeException e = failure(new ByteArrayInputStream(gzip(randomBytes(5001))), "gzip", 5000);

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessage("decompressed request body exceeds the limit of 5000 bytes");
  }

  @Test
  void gzipBombFailsFastWithoutInflatingEverything() throws Exception {
    // 256 MiB of zeros compress to about 256 KiB.
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(compressed, 64 * 1024)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 256; i++) {
        gzip.write(zeros);
      }
    }
    ChunkedStream bomb = new ChunkedStream(compressed.toByteArray(), 8192);

    OtlpDecodeException e = failure(bomb, "gzip", 1 << 20);

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    // Stopped after about 1 MiB of output, i.e. a few KiB of input, out of ~256 KiB.
    assertThat(bomb.bytesServed).isLessThan(compressed.size() / 10);
  }

  @Test
  void rejectsTruncatedGzip() throws Exception {
    byte[] whole = gzip(randomBytes(10_000));

    OtlpDecodeException e =
        failure(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length / 2)), "gzip", 100_000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid gzip request body: truncated");
  }

  @Test
  void rejectsGzipWithoutItsTrailer() throws Exception {
    byte[] whole = gzip(BODY);

    OtlpDecodeException e =
        failure(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 4)), "gzip", 1000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid gzip request body");
  }

  @Test
  void rejectsGzipWithWrongChecksum() throws Exception {
    byte[] corrupt = gzip(BODY);
    corrupt[corrupt.length - 6] ^= 0x55; // inside the CRC-32 of the trailer

    OtlpDecodeException e = failure(new ByteArrayInputStream(corrupt), "gzip", 1000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageContaining("Corrupt GZIP trailer");
  }

  @Test
  void rejectsCorruptDeflateData() throws Exception {
    byte[] corrupt = gzip(randomBytes(10_000));
    for (int i = 20; i < 60; i++) {
      corrupt[i] = (byte) 0xFF;
    }

    OtlpDecodeException e = failure(new ByteArrayInputStream(corrupt), "gzip", 100_000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid gzip request body: ");
  }

  @Test
  void rejectsBodyThatIsNotGzipAtAll() {
    OtlpDecodeException e = failure(new ByteArrayInputStream(BODY), "gzip", 1000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessage("invalid gzip request body: Not in GZIP format");
  }

  @Test
  void rejectsEmptyGzipBody() {
    OtlpDecodeException e = failure(new ByteArrayInputStream(new byte[0]), "gzip", 1000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid gzip request body: truncated");
  }

  // ---- deflate, zstd, snappy, lz4: the other codings the Collector accepts ----------------------

  /** What error messages call a coding. */
  private static String label(Codings coding) {
    return switch (coding) {
      case GZIP -> "gzip";
      case DEFLATE, DEFLATE_RAW, ZLIB -> "deflate";
      case ZSTD -> "zstd";
      case SNAPPY, SNAPPY_FRAMED_AS_SNAPPY, SNAPPY_FRAMED -> "snappy";
      case LZ4 -> "lz4";
    };
  }

  private static byte[] compressible(int size) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < size; i++) {
      text.append("{\"body\":\"log line ").append(i).append(" of a service\"},");
    }
    return Arrays.copyOf(text.toString().getBytes(StandardCharsets.UTF_8), size);
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void readsEveryCoding(Codings coding) throws Exception {
    assertThat(RequestBodies.read(new ByteArrayInputStream(coding.encode(BODY)), coding.header(), 1000))
        .isEqualTo(BODY);
    assertThat(RequestBodies.read(new ByteArrayInputStream(coding.encode(BODY)), " " + coding.header().toUpperCase() + " ", 1000))
        .isEqualTo(BODY);
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void readsLargeChunkedBodiesOfEveryCoding(Codings coding) throws Exception {
    byte[] random = randomBytes(300_000);
    byte[] text = compressible(1_000_000);

    assertThat(RequestBodies.read(new ChunkedStream(coding.encode(random), 13), coding.header(), 300_000)).isEqualTo(random);
    assertThat(RequestBodies.read(new ChunkedStream(coding.encode(text), 1000), coding.header(), 1_000_000)).isEqualTo(text);
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void acceptsABodyThatDecodesToExactlyTheLimitAndNotOneByteMore(Codings coding) throws Exception {
    byte[] data = randomBytes(5001);

    assertThat(RequestBodies.read(new ByteArrayInputStream(coding.encode(Arrays.copyOf(data, 5000))), coding.header(), 5000))
        .hasSize(5000);
    OtlpDecodeException e = failure(new ByteArrayInputStream(coding.encode(data)), coding.header(), 5000);
    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessage("decompressed request body exceeds the limit of 5000 bytes");
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void aBombOfEveryCodingIsRefusedHoldingNoMoreThanTheLimit(Codings coding) throws Exception {
    // 64 MiB of zeros: from about 60 KiB (deflate) down to a few KiB (zstd) once compressed.
    byte[] zeros = new byte[64 << 20];
    byte[] bomb = coding.encode(zeros);
    RecordingAllowance allowance = new RecordingAllowance(Long.MAX_VALUE);
    int limit = 1 << 20;

    OtlpDecodeException e = catchThrowableOfType(OtlpDecodeException.class,
        () -> RequestBodies.read(new ChunkedStream(bomb, 8192), coding.header(), -1, limit, allowance));

    assertThat(e).as("a bomb of %d bytes", bomb.length).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessageContaining("exceeds the limit");
    // Never more held than the limit plus the byte that shows it is exceeded (and for a snappy
    // block, its compressed bytes beside it).
    assertThat(allowance.asked).isNotEmpty()
        .allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(limit + 1L + (coding == Codings.SNAPPY ? bomb.length : 0)));
  }

  @ParameterizedTest
  @EnumSource(value = Codings.class, names = {"GZIP", "DEFLATE", "DEFLATE_RAW", "SNAPPY_FRAMED", "LZ4"})
  void aBombStopsBeingReadOnceTheLimitIsExceeded(Codings coding) throws Exception {
    // 256 MiB of zeros: hundreds of KiB or more for these codings, which decode as they read.
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (OutputStream encoder = coding.encoder(compressed)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 256; i++) {
        encoder.write(zeros);
      }
    }
    ChunkedStream bomb = new ChunkedStream(compressed.toByteArray(), 8192);

    OtlpDecodeException e = failure(bomb, coding.header(), 1 << 20);

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(bomb.bytesServed).as("of %d compressed bytes", compressed.size()).isLessThan(compressed.size() / 10);
  }

  @Test
  void aSnappyBlockBombIsRefusedByItsHeaderBeforeItsOutputIsAllocated() throws Exception {
    byte[] bomb = Codings.SNAPPY.encode(new byte[16 << 20]);
    RecordingAllowance allowance = new RecordingAllowance(Long.MAX_VALUE);

    OtlpDecodeException e = catchThrowableOfType(OtlpDecodeException.class,
        () -> RequestBodies.read(new ByteArrayInputStream(bomb), "snappy", -1, 1 << 20, allowance));

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessage("decompressed request body exceeds the limit of 1048576 bytes");
    assertThat(allowance.asked).allSatisfy(bytes -> assertThat(bytes).isLessThan(bomb.length * 2L));
  }

  @ParameterizedTest
  @EnumSource(value = Codings.class, names = {"GZIP", "ZSTD", "SNAPPY_FRAMED"})
  void rejectsAnEndlessStreamOfEmptyFrames(Codings coding) {
    OtlpDecodeException e = failure(endless(coding.encode(new byte[0])), coding.header(), 1000);

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessageStartingWith("compressed request body exceeds the limit");
  }

  @Test
  void rejectsAnEndlessStreamOfSnappyPadding() {
    byte[] identifier = Codings.SNAPPY_FRAMED.encode(new byte[0]);
    byte[] padding = {(byte) 0xfe, 0x00, 0x10, 0x00}; // 4 KiB of padding follows
    InputStream body = new java.io.SequenceInputStream(new ByteArrayInputStream(identifier),
        endless(Arrays.copyOf(padding, padding.length + 4096)));

    OtlpDecodeException e = failure(body, "x-snappy-framed", 1000);

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(e).hasMessageStartingWith("compressed request body exceeds the limit");
  }

  @Test
  void readsAFewConcatenatedLz4FramesButNotAnEndlessStreamOfThem() throws Exception {
    byte[] frame = Codings.LZ4.encode("ab".getBytes(StandardCharsets.UTF_8));
    byte[] eight = repeat(frame, 8);

    assertThat(new String(RequestBodies.read(new ByteArrayInputStream(eight), "lz4", 1000), StandardCharsets.UTF_8))
        .isEqualTo("ab".repeat(8));
    OtlpDecodeException e = failure(endless(Codings.LZ4.encode(new byte[0])), "lz4", 1000);
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessage("invalid lz4 request body: more than 8 frames");
  }

  /** The unit over and over, forever; more is always available (so gzip reads on to a next member). */
  private static InputStream endless(byte[] unit) {
    return new InputStream() {
      private long position;

      @Override
      public int read() {
        return unit[(int) (position++ % unit.length)] & 0xFF;
      }

      @Override
      public int available() {
        return unit.length;
      }
    };
  }

  private static byte[] repeat(byte[] unit, int times) {
    byte[] out = new byte[unit.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(unit, 0, out, i * unit.length, unit.length);
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void rejectsATruncatedBodyOfEveryCoding(Codings coding) {
    byte[] whole = coding.encode(compressible(50_000));

    OtlpDecodeException e =
        failure(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length / 2)), coding.header(), 100_000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid " + label(coding) + " request body: ");
  }

  @ParameterizedTest
  @EnumSource(value = Codings.class, names = {"GZIP", "DEFLATE", "ZLIB", "ZSTD", "SNAPPY_FRAMED", "LZ4"})
  void rejectsAWrongChecksumOfEveryCodingThatHasOne(Codings coding) {
    // The last bytes of each of these are (or end) its checksum of the decoded data.
    byte[] corrupt = coding.encode(compressible(10_000));
    int at = coding == Codings.SNAPPY_FRAMED ? 10 + 4 : corrupt.length - 2;
    corrupt[at] ^= 0x55;

    OtlpDecodeException e = failure(new ByteArrayInputStream(corrupt), coding.header(), 100_000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid " + label(coding) + " request body: ");
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void rejectsABodyThatIsNotOfItsCodingAtAll(Codings coding) {
    OtlpDecodeException e = failure(new ByteArrayInputStream(randomBytes(2000)), coding.header(), 100_000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid " + label(coding) + " request body: ");
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void rejectsAnEmptyBodyOfEveryCoding(Codings coding) {
    OtlpDecodeException e = failure(new ByteArrayInputStream(new byte[0]), coding.header(), 1000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid " + label(coding) + " request body: truncated");
  }

  @Test
  void readsConcatenatedZstdFrames() throws Exception {
    byte[] first = Codings.ZSTD.encode("first ".getBytes(StandardCharsets.UTF_8));
    byte[] second = Codings.ZSTD.encode("second".getBytes(StandardCharsets.UTF_8));
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);

    assertThat(new String(RequestBodies.read(new ByteArrayInputStream(both), "zstd", 1000), StandardCharsets.UTF_8))
        .isEqualTo("first second");
  }

  @Test
  void refusesAZstdFrameThatAsksForAWindowAbove128MiB() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out)) {
      zstd.setWindowLog(28);
      zstd.write(BODY);
    }

    OtlpDecodeException e = failure(new ByteArrayInputStream(out.toByteArray()), "zstd", 1000);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid zstd request body: ").hasMessageContaining("memory");
  }

  // ---- unsupported codings and I/O ----------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"br", "compress", "x-compress", "lz4-block", "snappy-framed", "zstd;q=1"})
  void rejectsUnsupportedContentEncoding(String encoding) {
    OtlpDecodeException e = failure(new ByteArrayInputStream(BODY), encoding, 1000);

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_ENCODING);
    assertThat(e).hasMessage("unsupported Content-Encoding \"" + encoding
        + "\" (supported: gzip, zstd, deflate, zlib, snappy, x-snappy-framed, lz4, identity)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip, zstd", "zstd,gzip", "identity, gzip", "gzip, br", "gzip,"})
  void rejectsMoreThanOneCoding(String encoding) {
    OtlpDecodeException e = failure(new ByteArrayInputStream(BODY), encoding, 1000);

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_ENCODING);
    assertThat(e).hasMessageStartingWith("unsupported Content-Encoding \"" + encoding + "\": one coding per request (supported: ");
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void passesIoFailuresOfTheBodyThroughForEveryCoding(Codings coding) {
    byte[] whole = coding.encode(randomBytes(10_000));
    byte[] start = Arrays.copyOf(whole, whole.length / 2);

    assertThatThrownBy(() -> RequestBodies.read(new FailingStream(start), coding.header(), 100_000))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void leavesTheBodyStreamOpenForEveryCoding(Codings coding) throws Exception {
    ChunkedStream body = new ChunkedStream(coding.encode(BODY), 100);

    RequestBodies.read(body, coding.header(), 1000);

    assertThat(body.closed).isFalse();
  }

  @Test
  void passesIoFailuresOfTheBodyThroughForIdentity() {
    assertThatThrownBy(() -> RequestBodies.read(new FailingStream(BODY), null, 1000))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
  }

  @Test
  void passesIoFailuresOfTheBodyThroughForGzip() throws Exception {
    byte[] whole = gzip(randomBytes(10_000));
    byte[] start = Arrays.copyOf(whole, whole.length / 2);

    assertThatThrownBy(() -> RequestBodies.read(new FailingStream(start), "gzip", 100_000))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
  }

  @Test
  void leavesTheBodyStreamOpen() throws Exception {
    ChunkedStream identity = new ChunkedStream(BODY, 100);
    ChunkedStream gzipped = new ChunkedStream(gzip(BODY), 100);

    RequestBodies.read(identity, null, 1000);
    RequestBodies.read(gzipped, "gzip", 1000);

    assertThat(identity.closed).isFalse();
    assertThat(gzipped.closed).isFalse();
  }

  @Test
  void rejectsNegativeLimit() {
    assertThatThrownBy(() -> RequestBodies.read(new ByteArrayInputStream(BODY), null, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDecompressedBytes");
  }

  // ---- admission: Content-Length and the allowance --------------------------------------------

  /** Records every size asked for and allows up to a bound. */
  private static final class RecordingAllowance implements RequestBodies.Allowance {
    private final long max;
    final java.util.List<Long> asked = new java.util.ArrayList<>();

    RecordingAllowance(long max) {
      this.max = max;
    }

    @Override
    public boolean tryGrowTo(long bytes) {
      asked.add(bytes);
      return bytes <= max;
    }
  }

  @Test
  void refusesAnAnnouncedOversizedBodyBeforeReadingAByte() {
    ChunkedStream body = new ChunkedStream(randomBytes(2_000), 100);
    RecordingAllowance allowance = new RecordingAllowance(Long.MAX_VALUE);

    OtlpDecodeException e = catchThrowableOfType(OtlpDecodeException.class,
        () -> RequestBodies.read(body, null, 2_000, 1_000, allowance));

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(body.bytesServed).isZero();
    assertThat(allowance.asked).isEmpty();
  }

  @Test
  void refusesAnAnnouncedGzipBodyLargerThanAnyGzipOfTheLimit() {
    ChunkedStream body = new ChunkedStream(randomBytes(10), 100);

    OtlpDecodeException e = catchThrowableOfType(OtlpDecodeException.class,
        () -> RequestBodies.read(body, "gzip", 10_000_000, 1_000, RequestBodies.Allowance.UNBOUNDED));

    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
    assertThat(body.bytesServed).isZero();
  }

  @Test
  void reservesAnAnnouncedLengthBeforeReadingIt() throws Exception {
    byte[] data = randomBytes(5_000);
    RecordingAllowance allowance = new RecordingAllowance(Long.MAX_VALUE);

    assertThat(RequestBodies.read(new ChunkedStream(data, 100), null, data.length, 10_000, allowance)).isEqualTo(data);
    assertThat(allowance.asked).containsExactly(5_000L);
  }

  @Test
  void readsNothingWhenTheAnnouncedLengthIsRefused() {
    ChunkedStream body = new ChunkedStream(randomBytes(5_000), 100);

    assertThatThrownBy(() -> RequestBodies.read(body, null, 5_000, 10_000, new RecordingAllowance(4_999)))
        .isInstanceOf(RequestBodies.RefusedException.class)
        .hasMessageContaining("5000 bytes");
    assertThat(body.bytesServed).isZero();
  }

  @Test
  void growsTheReservationOfAChunkedBodyBufferByBuffer() throws Exception {
    byte[] data = randomBytes(300_000);
    RecordingAllowance allowance = new RecordingAllowance(Long.MAX_VALUE);

    assertThat(RequestBodies.read(new ChunkedStream(data, 1000), null, -1, 1_000_000, allowance)).isEqualTo(data);
    // Buffers of 64, 128 and 256 KiB: the last one holds the end of the body.
    assertThat(allowance.asked).containsExactly(65_536L, 196_608L, 458_752L);
  }

  @Test
  void stopsReadingAChunkedBodyWhenTheAllowanceRefuses() {
    ChunkedStream body = new ChunkedStream(randomBytes(1_000_000), 1000);

    assertThatThrownBy(() -> RequestBodies.read(body, null, -1, 2_000_000, new RecordingAllowance(200_000)))
        .isInstanceOf(RequestBodies.RefusedException.class);
    // What was allowed (64 + 128 KiB), nothing of the refused buffer.
    assertThat(body.bytesServed).isEqualTo(196_608);
  }

  @Test
  void stopsInflatingAGzipBombWhenTheAllowanceRefuses() throws Exception {
    byte[] bomb = gzip(new byte[50 * 1024 * 1024]);
    RecordingAllowance allowance = new RecordingAllowance(1024 * 1024);

    assertThatThrownBy(() -> RequestBodies.read(new ChunkedStream(bomb, 8192), "gzip", -1, 64 * 1024 * 1024, allowance))
        .isInstanceOf(RequestBodies.RefusedException.class);
    // Never more inflated than allowed: the refused size is the first one above the allowance.
    assertThat(allowance.asked.subList(0, allowance.asked.size() - 1)).allSatisfy(b -> assertThat(b).isLessThanOrEqualTo(1024 * 1024));
  }
}
