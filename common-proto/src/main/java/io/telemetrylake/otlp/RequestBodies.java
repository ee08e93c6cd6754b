package io.telemetrylake.otlp;

import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads an OTLP/HTTP request body into memory, undoing its {@code Content-Encoding}, without ever
 * holding more than the configured limit.
 *
 * <p>Real clients stream their bodies ({@code Transfer-Encoding: chunked}, no {@code
 * Content-Length}), usually gzip-compressed, so the size is only known by reading: the body is read
 * incrementally (each buffer allowed by the caller before it is allocated) and reading stops as
 * soon as one byte more than the limit has arrived. A gzip bomb therefore costs at most the limit
 * in memory and the time to inflate it, never its full size.
 */
public final class RequestBodies {
  // Arrays cannot be larger than this on common JVMs.
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;
  private static final int GZIP_BUFFER_BYTES = 8192;
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
   *     {@code identity}, {@code gzip} and {@code x-gzip} are understood (case-insensitive)
   * @param contentLength the {@code Content-Length}, or -1 when unknown (chunked): a body
   *     announced larger than the limit is refused before a byte is read
   * @param maxDecompressedBytes the largest body accepted after decompression (values above 2 GiB
   *     are capped: a body must fit in one array)
   * @throws OtlpDecodeException TOO_LARGE above the limit, MALFORMED for corrupt or truncated gzip,
   *     UNSUPPORTED_CONTENT_ENCODING for any other encoding
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
    String encoding =
        contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    switch (encoding) {
      case "", "identity":
        return readIdentity(body, contentLength, limit, allowance);
      case "gzip", "x-gzip":
        return readGzip(body, contentLength, limit, allowance);
      default:
        throw new OtlpDecodeException(
            Reason.UNSUPPORTED_CONTENT_ENCODING,
            "unsupported Content-Encoding \""
                + Texts.abbreviate(contentEncoding)
                + "\" (supported: gzip, identity)");
    }
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

  private static byte[] readGzip(InputStream body, long contentLength, int limit, Allowance allowance)
      throws OtlpDecodeException, IOException, RefusedException {
    if (contentLength > compressedLimit(limit)) {
      throw new OtlpDecodeException(
          Reason.TOO_LARGE,
          "compressed request body exceeds the limit of " + compressedLimit(limit) + " bytes");
    }
    SourceStream source = new SourceStream(body, compressedLimit(limit));
    try (GZIPInputStream gzip = new GZIPInputStream(source, GZIP_BUFFER_BYTES)) {
      return readBounded(
          gzip, limit, allowance, "decompressed request body exceeds the limit of " + limit + " bytes");
    } catch (IOException e) {
      if (source.compressedLimitExceeded) {
        throw new OtlpDecodeException(
            Reason.TOO_LARGE,
            "compressed request body exceeds the limit of " + compressedLimit(limit) + " bytes");
      }
      if (source.failure != null) {
        // The connection failed, not the gzip data: let the caller handle it as an I/O error.
        throw source.failure;
      }
      throw new OtlpDecodeException(
          Reason.MALFORMED, "invalid gzip request body: " + describe(e), e);
    }
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
   * Bound on the compressed bytes read. Without it, a stream of empty gzip members (which inflate
   * to nothing) would be read forever; gzip never legitimately grows data by more than a few bytes
   * per 16 KiB block plus its headers, so the allowance below only stops abuse.
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
   * The raw body as seen by the inflater. It remembers whether an {@link IOException} came from
   * the body itself (a real I/O failure) rather than from the gzip decoder, counts the compressed
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
      // GZIPInputStream never skips its source; refuse rather than bypass the counting.
      throw new IOException("skip not supported");
    }

    @Override
    public void close() {
      // The caller owns the body stream; closing the GZIPInputStream only frees its inflater.
    }
  }
}
