package io.telemetrylake.otlp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.xerial.snappy.Snappy;

/**
 * Snappy's framing format (google/snappy {@code framing_format.txt}) read chunk by chunk in a loop;
 * each compressed chunk is one snappy block, decoded by snappy-java.
 *
 * <p>Not snappy-java's own {@code SnappyFramedInputStream}: that one calls itself once per
 * skippable chunk, so a body of a few hundred KiB of stream identifiers or padding overflows the
 * request thread's stack. Here a chunk never decodes to more than 64 KiB, checksums are always
 * verified, and skipped chunks are read (and counted by the caller's compressed limit).
 */
final class SnappyFramedReader extends InputStream {
  private static final int STREAM_IDENTIFIER = 0xff;
  private static final int COMPRESSED = 0x00;
  private static final int UNCOMPRESSED = 0x01;
  private static final int FIRST_SKIPPABLE = 0x80;
  private static final int MAX_DECODED_CHUNK = 65_536;
  private static final int CRC_BYTES = 4;
  private static final byte[] MAGIC = {'s', 'N', 'a', 'P', 'p', 'Y'};

  private final InputStream in;
  private final byte[] header = new byte[4];
  private final byte[] decoded = new byte[MAX_DECODED_CHUNK];
  private final CRC32C crc = new CRC32C();
  private byte[] chunk;
  private int position;
  private int limit;
  private boolean identified;

  SnappyFramedReader(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (position == limit) {
      if (!nextChunk()) {
        return -1;
      }
    }
    int n = Math.min(length, limit - position);
    System.arraycopy(decoded, position, buffer, offset, n);
    position += n;
    return n;
  }

  /** Reads one chunk; false at the clean end of the stream. */
  private boolean nextChunk() throws IOException {
    int n = in.readNBytes(header, 0, header.length);
    if (n == 0 && identified) {
      return false;
    }
    if (n < header.length) {
      throw new EOFException("truncated chunk header");
    }
    int type = header[0] & 0xFF;
    int length = (header[1] & 0xFF) | (header[2] & 0xFF) << 8 | (header[3] & 0xFF) << 16;
    if (!identified && type != STREAM_IDENTIFIER) {
      throw new IOException("the stream does not start with the snappy stream identifier");
    }
    position = 0;
    limit = 0;
    if (type == STREAM_IDENTIFIER) {
      byte[] data = readChunk(length, MAGIC.length, MAGIC.length);
      if (!Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
        throw new IOException("corrupt snappy stream identifier");
      }
      identified = true;
    } else if (type == COMPRESSED) {
      byte[] data = readChunk(length, CRC_BYTES + 1, CRC_BYTES + Snappy.maxCompressedLength(MAX_DECODED_CHUNK));
      int decodedLength = Snappy.uncompressedLength(data, CRC_BYTES, length - CRC_BYTES);
      if (decodedLength < 0 || decodedLength > MAX_DECODED_CHUNK) {
        throw new IOException("a compressed chunk decodes to more than 64 KiB");
      }
      limit = Snappy.uncompress(data, CRC_BYTES, length - CRC_BYTES, decoded, 0);
      verify(data, limit);
    } else if (type == UNCOMPRESSED) {
      byte[] data = readChunk(length, CRC_BYTES, CRC_BYTES + MAX_DECODED_CHUNK);
      limit = length - CRC_BYTES;
      System.arraycopy(data, CRC_BYTES, decoded, 0, limit);
      verify(data, limit);
    } else if (type >= FIRST_SKIPPABLE) {
      // Padding and reserved skippable chunks: read and dropped.
      for (long left = length; left > 0; ) {
        int r = in.readNBytes(decoded, 0, (int) Math.min(left, decoded.length));
        if (r == 0) {
          throw new EOFException("truncated chunk");
        }
        left -= r;
      }
    } else {
      throw new IOException("reserved unskippable chunk type " + type);
    }
    return true;
  }

  /** The chunk's {@code length} bytes (in a reused buffer), which must be within bounds. */
  private byte[] readChunk(int length, int min, int max) throws IOException {
    if (length < min || length > max) {
      throw new IOException("chunk of " + length + " bytes, allowed " + min + " to " + max);
    }
    if (chunk == null || chunk.length < length) {
      chunk = new byte[Math.max(length, 1024)];
    }
    if (in.readNBytes(chunk, 0, length) < length) {
      throw new EOFException("truncated chunk");
    }
    return chunk;
  }

  /** The masked CRC-32C of the decoded chunk, as the framing format defines it. */
  private void verify(byte[] data, int decodedLength) throws IOException {
    int expected = (data[0] & 0xFF) | (data[1] & 0xFF) << 8 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 24;
    crc.reset();
    crc.update(decoded, 0, decodedLength);
    int value = (int) crc.getValue();
    int masked = ((value >>> 15) | (value << 17)) + 0xa282ead8;
    if (masked != expected) {
      throw new IOException("snappy chunk checksum mismatch");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
