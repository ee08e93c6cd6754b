package io.telemetrylake.otlp;

import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * Reads an OTLP/HTTP request body into memory, undoing its {@code Content-Encoding}, without ever
 * holding more than the configured limit.
 *
 * <p>Real clients stream their bodies ({@code Transfer-Encoding: chunked}, no {@code
 * Content-Length}), usually gzip-compressed, so the size is only known by reading: the body is read
 * incrementally (each buffer allowed by the caller before it is allocated) and reading stops as
 * soon as one byte more than the limit has arrived. A compression bomb therefore costs at most the
 * limit in memory and the time to inflate it, never its full size, whatever the coding: the
 * streaming ones (gzip, deflate, zstd, framed snappy, lz4) are read through the same bounded
 * loop, and a snappy block, which is not a stream, announces its decoded length up front.
 *
 * <p>The codings are those of the OpenTelemetry Collector's HTTP server ({@link ContentCoding}).
 * Besides the limit on the decoded body, the compressed bytes read are bounded a little above it,
 * so a stream of empty frames or members cannot be read forever.
 */
public final class RequestBodies {
  // Arrays cannot be larger than this on common JVMs.
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;
  private static final int FIRST_CHUNK_BYTES = 64 * 1024;
  private static final int MAX_CHUNK_BYTES = 4 * 1024 * 1024;

  private RequestBodies() {}

  /**
   * Asked before each buffer the body reader allocates: may the decoded body held in memory grow
   * to {@code bytes}? Lets the caller refuse (and answer "retry later") before the memory is taken.
   */
  @FunctionalInterface
  public interface Allowance {
    Allowance UNBOUNDED = bytes -> true;

    boolean tryGrowTo(long bytes);
  }

  /** The allowance refused to let the body grow: the body may fit later, not now. */
  public static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException(long bytes) {
      super("no memory for a request body of " + bytes + " bytes now", null, false, false);
    }
  }

  /**
   * Reads the whole body and returns it decoded.
   *
   * @see #read(InputStream, String, long, long, Allowance)
   */
  public static byte[] read(InputStream body, String contentEncoding, long maxDecompressedBytes)
      throws OtlpDecodeException, IOException {
    try {
      return read(body, contentEncoding, -1, maxDecompressedBytes, Allowance.UNBOUNDED);
    } catch (RefusedException e) {
      throw new AssertionError("an unbounded allowance never refuses", e);
    }
  }

  /**
   * Reads the whole body and returns it decoded, asking {@code allowance} before every buffer it
   * allocates (so before any byte of that buffer is read or inflated).
   *
   * @param body the request body; read up to its end or up to the limit, never closed here
   * @param contentEncoding the {@code Content-Encoding} header value, or null when absent;
   *     {@code identity}, {@code gzip}/{@code x-gzip}, {@code deflate}/{@code zlib} (zlib-wrapped
   *     or raw), {@code zstd}, {@code snappy} (block or framed), {@code x-snappy-framed} and
   *     {@code lz4} (frame format) are understood (case-insensitive); one coding, not a list
   * @param contentLength the {@code Content-Length}, or -1 when unknown (chunked): a body
   *     announced larger than the limit is refused before a byte is read
   * @param maxDecompressedBytes the largest body accepted after decompression (values above 2 GiB
   *     are capped: a body must fit in one array)
   * @throws OtlpDecodeException TOO_LARGE above the limit, MALFORMED for corrupt, truncated or
   *     empty compressed data, UNSUPPORTED_CONTENT_ENCODING for any other coding or a list
   * @throws RefusedException when the allowance refuses a buffer
   * @throws IOException when reading the body itself fails (e.g. the client went away)
   */
  public static byte[] read(
      InputStream body, String contentEncoding, long contentLength, long maxDecompressedBytes, Allowance allowance)
      throws OtlpDecodeException, IOException, RefusedException {
    if (maxDecompressedBytes < 0) {
      throw new IllegalArgumentException(
          "maxDecompressedBytes must not be negative: " + maxDecompressedBytes);
    }
    int limit = (int) Math.min(maxDecompressedBytes, MAX_ARRAY_LENGTH - 1);
    ContentCoding coding = ContentCoding.of(contentEncoding);
    if (coding == ContentCoding.IDENTITY) {
      return readIdentity(body, contentLength, limit, allowance);
    }
    return readCompressed(body, coding, contentLength, limit, allowance);
  }

  private static byte[] readIdentity(InputStream body, long contentLength, int limit, Allowance allowance)
      throws OtlpDecodeException, IOException, RefusedException {
    if (contentLength > limit) {
      throw new OtlpDecodeException(
          Reason.TOO_LARGE, "request body exceeds the limit of " + limit + " bytes");
    }
    if (contentLength >= 0) {
      // Known size: one exact array, reserved before anything is read.
      reserve(allowance, contentLength);
      byte[] bytes = new byte[(int) contentLength];
      int n = body.readNBytes(bytes, 0, bytes.length);
      if (n < bytes.length) {
        throw new java.io.EOFException("the body ended after " + n + " of " + contentLength + " bytes");
      }
      return bytes;
    }
    return readBounded(body, limit, allowance, "request body exceeds the limit of " + limit + " bytes");
  }

  private static byte[] readCompressed(
      InputStream body, ContentCoding coding, long contentLength, int limit, Allowance allowance)
      throws OtlpDecodeException, IOException, RefusedException {
    long compressedLimit = compressedLimit(limit);
    String compressedTooLarge = "compressed request body exceeds the limit of " + compressedLimit + " bytes";
    if (contentLength > compressedLimit) {
      throw new OtlpDecodeException(Reason.TOO_LARGE, compressedTooLarge);
    }
    SourceStream source = new SourceStream(body, compressedLimit);
    try {
      byte[] decoded = coding == ContentCoding.SNAPPY
          ? readSnappy(source, limit, allowance)
          : readStream(coding, source, limit, allowance);
      if (source.bytesRead == 0) {
        // Not even a header: an empty body is no valid stream of any coding.
        throw new java.io.EOFException("empty body");
      }
      return decoded;
    } catch (IOException e) {
      if (source.compressedLimitExceeded) {
        throw new OtlpDecodeException(Reason.TOO_LARGE, compressedTooLarge);
      }
      if (source.failure != null) {
        // The connection failed, not the compressed data: let the caller handle it as an I/O error.
        throw source.failure;
      }
      throw new OtlpDecodeException(
          Reason.MALFORMED, "invalid " + coding.label() + " request body: " + describe(e), e);
    }
  }

  private static byte[] readStream(ContentCoding coding, InputStream source, int limit, Allowance allowance)
      throws OtlpDecodeException, IOException, RefusedException {
    try (InputStream decoded = coding.open(source)) {
      return readBounded(
          decoded, limit, allowance, "decompressed request body exceeds the limit of " + limit + " bytes");
    }
  }

  /**
   * Snappy as the Collector sends it: the framing format (a stream, checksummed) when the body
   * starts with its stream identifier, else one block, which is not a stream. A block is read
   * whole (within the compressed limit, each buffer allowed), and its header's decoded length is
   * checked against the limit and allowed before the output is allocated and filled.
   */
  private static byte[] readSnappy(SourceStream source, int limit, Allowance allowance)
      throws OtlpDecodeException, IOException, RefusedException {
    int idLength = ContentCoding.SNAPPY_STREAM_IDENTIFIER.length;
    PushbackInputStream in = new PushbackInputStream(source, idLength);
    byte[] start = new byte[idLength];
    int n = in.readNBytes(start, 0, idLength);
    in.unread(start, 0, n);
    if (ContentCoding.isSnappyFramed(start, n)) {
      return readStream(ContentCoding.SNAPPY_FRAMED, in, limit, allowance);
    }
    int compressedLimit = (int) Math.min(compressedLimit(limit), MAX_ARRAY_LENGTH - 1);
    byte[] block = readBounded(
        in, compressedLimit, allowance, "compressed request body exceeds the limit of " + compressedLimit + " bytes");
    if (block.length == 0) {
      throw new java.io.EOFException("empty body");
    }
    int length = Snappy.uncompressedLength(block);
    if (length < 0 || length > limit) {
      throw new OtlpDecodeException(
          Reason.TOO_LARGE, "decompressed request body exceeds the limit of " + limit + " bytes");
    }
    reserve(allowance, (long) block.length + length);
    byte[] decoded = new byte[length];
    int written = Snappy.uncompress(block, 0, block.length, decoded, 0);
    if (written != length) {
      throw new IOException("snappy block decoded to " + written + " bytes, its header says " + length);
    }
    return decoded;
  }

  /**
   * Reads up to {@code limit} bytes of unknown total into buffers that double from 64 KiB to 4 MiB,
   * each allowed before it is allocated and filled, then joins them. The allowance sees the bytes
   * the buffers hold (the join briefly needs as much again: the caller's factor covers it).
   */
  private static byte[] readBounded(InputStream in, int limit, Allowance allowance, String tooLarge)
      throws OtlpDecodeException, IOException, RefusedException {
    List<byte[]> chunks = new ArrayList<>();
    long held = 0;
    int total = 0;
    int chunkSize = FIRST_CHUNK_BYTES;
    while (true) {
      // One byte past the limit is enough to know the body is too large.
      int size = (int) Math.min(chunkSize, (long) limit + 1 - total);
      reserve(allowance, held + size);
      byte[] chunk = new byte[size];
      held += size;
      int n = in.readNBytes(chunk, 0, size);
      chunks.add(chunk);
      total += n;
      if (total > limit) {
        throw new OtlpDecodeException(Reason.TOO_LARGE, tooLarge);
      }
      if (n < size) {
        break;
      }
      chunkSize = Math.min(chunkSize * 2, MAX_CHUNK_BYTES);
    }
    if (chunks.size() == 1 && chunks.get(0).length == total) {
      return chunks.get(0);
    }
    byte[] bytes = new byte[total];
    int at = 0;
    for (byte[] chunk : chunks) {
      int n = Math.min(chunk.length, total - at);
      System.arraycopy(chunk, 0, bytes, at, n);
      at += n;
    }
    return bytes;
  }

  private static void reserve(Allowance allowance, long bytes) throws RefusedException {
    if (!allowance.tryGrowTo(bytes)) {
      throw new RefusedException(bytes);
    }
  }

  /**
   * Bound on the compressed bytes read. Without it, a stream of empty gzip members or zstd/lz4
   * frames (which decode to nothing) would be read forever. No coding legitimately grows data by
   * more than a few bytes per block plus its headers (deflate and zstd store incompressible blocks
   * raw with a 3-5 byte header per 16-128 KiB, lz4 with 4 bytes per block, snappy's framing with 8
   * per 64 KiB and a snappy block with about 5 per 64 KiB), so the allowance below only stops abuse.
   */
  private static long compressedLimit(int limit) {
    return (long) limit + limit / 64 + 64 * 1024;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (e instanceof java.io.EOFException) {
      return "truncated (" + (message == null ? "unexpected end of data" : message) + ")";
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /**
   * The raw body as seen by the decoder. It remembers whether an {@link IOException} came from
   * the body itself (a real I/O failure) rather than from the decoder, counts the compressed
   * bytes, and does not close the caller's stream.
   */
  private static final class SourceStream extends FilterInputStream {
    private final long maxBytes;
    private long bytesRead;
    IOException failure;
    boolean compressedLimitExceeded;

    SourceStream(InputStream in, long maxBytes) {
      super(in);
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n;
      try {
        n = in.read(buffer, offset, length);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      try {
        return in.available();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    private void count(int n) throws IOException {
      bytesRead += n;
      if (bytesRead > maxBytes) {
        compressedLimitExceeded = true;
        throw new IOException("compressed body too large");
      }
    }

    @Override
    public long skip(long n) throws IOException {
      // Skipped bytes (lz4's skippable frames) are read, so that they count like any others.
      byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
      long skipped = 0;
      while (skipped < n) {
        int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    @Override
    public void close() {
      // The caller owns the body stream; closing the decoder only frees the decoder.
    }
  }
}
