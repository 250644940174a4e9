package org.bratscv.model.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bratscv.model.train.checkpoint.CorruptCheckpointException;
import org.bratscv.model.train.checkpoint.TensorBundle.Tensor;

/**
 * The safetensors file format (Hugging Face), the weights format most tools read and write:
 *
 * <pre>
 * u64 little-endian N, then N bytes of UTF-8 JSON (space padded):
 *   {"__metadata__": {"key": "value", ...},
 *    "name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...}
 * then the data: each tensor's values, row-major, little-endian, at [begin, end) of this buffer
 * </pre>
 *
 * Written as float32 with the header padded to a multiple of 8 bytes (as the Python library does);
 * read from F32, F64, F16 and BF16 (converted to float32). Offsets must tile the data buffer
 * exactly, as the format requires, so a truncated or spliced file is an error.
 */
public final class SafeTensors {
  /** Header key of the free-form string metadata. */
  public static final String METADATA = "__metadata__";

  /** Headers above this are refused (real ones are kilobytes). */
  static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeTensors() {}

  /** The tensors of one file in the order of their data, and its metadata. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    public Contents {
      tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  /**
   * Writes {@code tensors} (float32, in this order) with {@code metadata}; the stream is flushed.
   */
  public static void write(OutputStream out, List<Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA);
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Tensor t : tensors) {
      if (t.name().equals(METADATA) || header.has(t.name())) {
        throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or repeated");
      }
      ObjectNode entry = header.putObject(t.name());
      entry.put("dtype", "F32");
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long bytes = (long) t.data().length * Float.BYTES;
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    out.write(head.array());
    for (Tensor t : tensors) {
      ByteBuffer b = ByteBuffer.allocate(t.data().length * Float.BYTES);
      b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(t.data());
      out.write(b.array());
    }
    out.flush();
  }

  /**
   * Reads a whole safetensors file from {@code in} (not closed); {@code source} names it in errors.
   */
  public static Contents read(InputStream in, String source) throws IOException {
    byte[] lengthBytes = in.readNBytes(8);
    if (lengthBytes.length < 8) {
      throw new CorruptCheckpointException(source + ": not a safetensors file (under 8 bytes)");
    }
    long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
      throw new CorruptCheckpointException(
          source + ": not a safetensors file (header length " + headerLength + ")");
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    if (headerBytes.length < headerLength) {
      throw new CorruptCheckpointException(source + ": truncated safetensors header");
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new CorruptCheckpointException(
          source + ": safetensors header is not JSON: " + e.getMessage(), e);
    }
    if (header == null || !header.isObject()) {
      throw new CorruptCheckpointException(source + ": safetensors header is not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals(METADATA)) {
        f.getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
      } else {
        entries.add(Entry.parse(f.getKey(), f.getValue(), source));
      }
    }
    entries.sort(Comparator.comparingLong(Entry::begin));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    long position = 0;
    for (Entry e : entries) {
      if (e.begin() != position) {
        throw new CorruptCheckpointException(
            source
                + ": tensor "
                + e.name()
                + " starts at byte "
                + e.begin()
                + " of the data, expected "
                + position
                + " (offsets must tile the data)");
      }
      byte[] raw = in.readNBytes(Math.toIntExact(e.end() - e.begin()));
      if (raw.length < e.end() - e.begin()) {
        throw new CorruptCheckpointException(
            source + ": truncated safetensors data (tensor " + e.name() + ")");
      }
      tensors.put(e.name(), new Tensor(e.name(), e.shape(), e.dtype().decode(raw)));
      position = e.end();
    }
    if (in.read() != -1) {
      throw new CorruptCheckpointException(
          source + ": bytes after the last tensor (" + position + " bytes of data declared)");
    }
    return new Contents(tensors, metadata);
  }

  /** Element types this reader converts to float32. */
  enum DType {
    F32(4),
    F64(8),
    F16(2),
    BF16(2);

    final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }

    float[] decode(byte[] raw) {
      ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[raw.length / bytes];
      for (int i = 0; i < out.length; i++) {
        out[i] =
            switch (this) {
              case F32 -> b.getFloat();
              case F64 -> (float) b.getDouble();
              case F16 -> halfToFloat(b.getShort());
              case BF16 -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
            };
      }
      return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
      int sign = (h & 0x8000) << 16;
      int exponent = (h >>> 10) & 0x1F;
      int mantissa = h & 0x3FF;
      if (exponent == 0x1F) {
        return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
      }
      if (exponent == 0) {
        // zero or subnormal: mantissa * 2^-24
        float v = mantissa * 0x1p-24f;
        return sign == 0 ? v : -v;
      }
      return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
  }

  private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    static Entry parse(String name, JsonNode node, String source) throws IOException {
      String where = source + ": tensor " + name;
      JsonNode dtype = node.get("dtype");
      JsonNode shape = node.get("shape");
      JsonNode offsets = node.get("data_offsets");
      if (dtype == null || shape == null || !shape.isArray() || offsets == null) {
        throw new CorruptCheckpointException(where + " lacks dtype, shape or data_offsets");
      }
      DType type;
      try {
        type = DType.valueOf(dtype.asText());
      } catch (IllegalArgumentException e) {
        throw new CorruptCheckpointException(
            where + " has dtype " + dtype.asText() + " (this reader takes F32, F64, F16, BF16)");
      }
      long[] dims = new long[shape.size()];
      long count = 1;
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.get(i).asLong(-1);
        if (!shape.get(i).canConvertToLong() || dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
          throw new CorruptCheckpointException(where + " has shape " + shape);
        }
        count = Math.multiplyExact(count, dims[i]);
      }
      if (!offsets.isArray() || offsets.size() != 2) {
        throw new CorruptCheckpointException(where + " has data_offsets " + offsets);
      }
      long begin = offsets.get(0).asLong(-1);
      long end = offsets.get(1).asLong(-1);
      if (begin < 0 || end < begin || end - begin != count * type.bytes) {
        throw new CorruptCheckpointException(
            where
                + " has data_offsets "
                + offsets
                + " for shape "
                + shape
                + " of "
                + type
                + " ("
                + count * type.bytes
                + " bytes)");
      }
      if (count * 4 > Integer.MAX_VALUE - 8) {
        throw new CorruptCheckpointException(where + " is too large");
      }
      return new Entry(name, type, dims, begin, end);
    }
  }
}
