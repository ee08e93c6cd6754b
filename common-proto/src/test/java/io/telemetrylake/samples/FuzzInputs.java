package io.telemetrylake.samples;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpJsonEncoder;
import io.telemetrylake.otlp.SampleRequests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Deterministic hostile request bodies for fuzzing the OTLP decoders and the endpoint: mutated
 * valid samples (both encodings), truncated and corrupt bodies of every Content-Encoding, gzip bombs, deep nesting, huge
 * attribute values, invalid UTF-8 and ids of wrong lengths.
 */
public final class FuzzInputs {
  /** One body with how to send it; {@code contentEncoding} is a {@link Codings} header or null. */
  public record Input(String kind, byte[] body, OtlpEncoding encoding, String contentEncoding) {
    @Override
    public String toString() {
      return kind + " (" + encoding + (contentEncoding == null ? "" : ", " + contentEncoding) + ", " + body.length + " bytes)";
    }
  }

  private static volatile byte[] bomb;

  private final SplittableRandom random;
  private final List<byte[]> jsonSeeds = new ArrayList<>();
  private final List<byte[]> protoSeeds = new ArrayList<>();

  public FuzzInputs(long seed) {
    this.random = new SplittableRandom(seed);
    for (OtlpSamples.Sample sample : OtlpSamples.valid()) {
      jsonSeeds.add(sample.bytes());
      try {
        protoSeeds.add(sample.decoded().toByteArray());
      } catch (OtlpDecodeException e) {
        throw new IllegalStateException("valid sample does not decode: " + sample, e);
      }
    }
    ExportLogsServiceRequest rich = SampleRequests.rich();
    jsonSeeds.add(OtlpJsonEncoder.encode(rich, OtlpJsonEncoder.Style.OTLP));
    protoSeeds.add(rich.toByteArray());
  }

  public Input next() {
    int kind = random.nextInt(100);
    boolean json = random.nextBoolean();
    OtlpEncoding encoding = json ? OtlpEncoding.JSON : OtlpEncoding.PROTOBUF;
    byte[] seed = pick(json ? jsonSeeds : protoSeeds);
    if (kind < 30) {
      return new Input("flipped bytes", flip(seed), encoding, null);
    } else if (kind < 40) {
      return new Input("truncated", Arrays.copyOf(seed, random.nextInt(Math.max(1, seed.length))), encoding, null);
    } else if (kind < 50) {
      return new Input("inserted bytes", insert(seed), encoding, null);
    } else if (kind < 58) {
      Codings coding = coding();
      return new Input(coding + " of mutated", coding.encode(flip(seed)), encoding, coding.header());
    } else if (kind < 64) {
      Codings coding = coding();
      byte[] compressed = coding.encode(seed);
      return new Input("truncated " + coding, Arrays.copyOf(compressed, compressed.length < 2 ? 0 : 1 + random.nextInt(compressed.length - 1)), encoding,
          coding.header());
    } else if (kind < 68) {
      Codings coding = coding();
      byte[] compressed = coding.encode(seed);
      // Past the header where there is one (gzip's is 10 bytes): the data and checksums get hit.
      compressed[random.nextInt(Math.min(10, compressed.length - 1), compressed.length)] ^= (byte) (1 + random.nextInt(255));
      return new Input("corrupt " + coding, compressed, encoding, coding.header());
    } else if (kind < 70) {
      return new Input("gzip bomb", bomb(), encoding, "gzip");
    } else if (kind < 76) {
      return json ? new Input("deep nesting", deepJson(50 + random.nextInt(5000)), encoding, null)
          : new Input("deep nesting", deepProto(50 + random.nextInt(5000)), encoding, null);
    } else if (kind < 80) {
      return new Input("huge attribute", hugeAttribute(json), encoding, random.nextBoolean() ? "gzip" : null);
    } else if (kind < 88) {
      return new Input("invalid utf-8", invalidUtf8(json ? seed : jsonSeeds.get(0)), OtlpEncoding.JSON, null);
    } else if (kind < 95) {
      return new Input("wrong id length", wrongIds(), OtlpEncoding.JSON, null);
    } else {
      byte[] noise = new byte[random.nextInt(1, 4096)];
      fill(noise);
      return new Input("noise", noise, encoding, random.nextBoolean() ? coding().header() : null);
    }
  }

  private Codings coding() {
    return Codings.values()[random.nextInt(Codings.values().length)];
  }

  private byte[] pick(List<byte[]> seeds) {
    return seeds.get(random.nextInt(seeds.size()));
  }

  private byte[] flip(byte[] seed) {
    byte[] out = seed.clone();
    if (out.length == 0) {
      return out;
    }
    int flips = 1 + random.nextInt(8);
    for (int i = 0; i < flips; i++) {
      out[random.nextInt(out.length)] = (byte) random.nextInt(256);
    }
    return out;
  }

  private byte[] insert(byte[] seed) {
    byte[] extra = new byte[1 + random.nextInt(64)];
    fill(extra);
    int at = random.nextInt(seed.length + 1);
    byte[] out = new byte[seed.length + extra.length];
    System.arraycopy(seed, 0, out, 0, at);
    System.arraycopy(extra, 0, out, at, extra.length);
    System.arraycopy(seed, at, out, at + extra.length, seed.length - at);
    return out;
  }

  private static byte[] deepJson(int depth) {
    StringBuilder b = new StringBuilder("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":");
    for (int i = 0; i < depth; i++) {
      b.append("{\"arrayValue\":{\"values\":[");
    }
    b.append("{\"stringValue\":\"x\"}");
    for (int i = 0; i < depth; i++) {
      b.append("]}}");
    }
    b.append("}]}]}]}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Nested AnyValue.array_value messages written by hand, so no builder recursion is needed. */
  private static byte[] deepProto(int depth) {
    byte[] inner = {0x0a, 0x01, 'x'}; // AnyValue{string_value="x"}
    for (int i = 0; i < depth; i++) {
      // ArrayValue{values=inner} then AnyValue{array_value=that}
      inner = field(5, field(1, inner));
    }
    byte[] record = field(5, inner); // LogRecord.body
    byte[] scope = field(2, record); // ScopeLogs.log_records
    byte[] resource = field(2, scope); // ResourceLogs.scope_logs
    return field(1, resource); // ExportLogsServiceRequest.resource_logs
  }

  private static byte[] field(int number, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 6);
    out.write((number << 3) | 2);
    int len = payload.length;
    while ((len & ~0x7F) != 0) {
      out.write((len & 0x7F) | 0x80);
      len >>>= 7;
    }
    out.write(len);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private byte[] hugeAttribute(boolean json) {
    String value = "v".repeat(1 << (16 + random.nextInt(7))); // 64 KiB .. 4 MiB
    String body = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"big\",\"value\":{\"stringValue\":\""
        + value + "\"}}]}]}]}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (json) {
      return bytes;
    }
    try {
      return io.telemetrylake.otlp.OtlpLogsDecoder.decode(bytes, OtlpEncoding.JSON).toByteArray();
    } catch (OtlpDecodeException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] invalidUtf8(byte[] json) {
    byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
    byte[] seq = bad[random.nextInt(bad.length)];
    String text = new String(json, StandardCharsets.UTF_8);
    int quote = text.indexOf("\"", random.nextInt(Math.max(1, text.length())));
    int at = quote < 0 ? json.length / 2 : text.substring(0, quote + 1).getBytes(StandardCharsets.UTF_8).length;
    byte[] out = new byte[json.length + seq.length];
    System.arraycopy(json, 0, out, 0, at);
    System.arraycopy(seq, 0, out, at, seq.length);
    System.arraycopy(json, at, out, at + seq.length, json.length - at);
    return out;
  }

  private byte[] wrongIds() {
    int traceHexChars = 2 * random.nextInt(0, 40) + (random.nextInt(10) == 0 ? 1 : 0);
    int spanHexChars = 2 * random.nextInt(0, 20);
    String trace = hex(traceHexChars);
    String span = hex(spanHexChars);
    return ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"" + trace + "\",\"spanId\":\"" + span
        + "\",\"body\":{\"stringValue\":\"ids\"}},{\"body\":{\"stringValue\":\"ok\"}}]}]}]}").getBytes(StandardCharsets.UTF_8);
  }

  private String hex(int chars) {
    StringBuilder b = new StringBuilder(chars);
    for (int i = 0; i < chars; i++) {
      b.append("0123456789abcdefABCDEF".charAt(random.nextInt(22)));
    }
    return b.toString();
  }

  private void fill(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
  }

  /** 256 MiB of zeros in about 256 KiB: far past any sane body limit once inflated. */
  public static byte[] bomb() {
    byte[] b = bomb;
    if (b == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 256; i++) {
          gz.write(zeros);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      b = out.toByteArray();
      bomb = b;
    }
    return b;
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
