package org.bratscv.model.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bratscv.model.train.checkpoint.CorruptCheckpointException;
import org.bratscv.model.train.checkpoint.TensorBundle.Tensor;
import org.junit.jupiter.api.Test;

class SafeTensorsTest {

  /** A file by hand: u64 header length, the JSON header as given, then the data bytes. */
  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  private static SafeTensors.Contents read(byte[] bytes) throws IOException {
    return SafeTensors.read(new ByteArrayInputStream(bytes), "w.safetensors");
  }

  @Test
  void writtenTensorsAndMetadataReadBackExactlyWithTheHeaderPaddedToEightBytes()
      throws IOException {
    Tensor a = new Tensor("a.weight", new long[] {2, 3}, new float[] {1, -2, 3e-8f, 4, 5, -0f});
    Tensor empty = new Tensor("gate.mlp.1.weight", new long[] {0, 8}, new float[0]);
    Tensor b = new Tensor("b", new long[] {1}, new float[] {Float.MIN_VALUE});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.write(out, List.of(a, empty, b), Map.of("format", "pt"));
    byte[] bytes = out.toByteArray();
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8);
    assertEquals(8 + headerLength + 7 * 4, bytes.length);

    SafeTensors.Contents c = read(bytes);
    assertEquals(Map.of("format", "pt"), c.metadata());
    assertEquals(List.of("a.weight", "gate.mlp.1.weight", "b"), List.copyOf(c.tensors().keySet()));
    assertArrayEquals(a.data(), c.tensors().get("a.weight").data());
    assertArrayEquals(new long[] {2, 3}, c.tensors().get("a.weight").shape());
    assertArrayEquals(new long[] {0, 8}, c.tensors().get("gate.mlp.1.weight").shape());
    assertArrayEquals(b.data(), c.tensors().get("b").data());
  }

  @Test
  void halfBfloatAndDoubleTensorsAreReadAsFloats() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(2 * 2 + 2 * 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
    // F16: 1.5 = 0x3E00, -2 = 0xC000; BF16: 1.5 = 0x3FC0, -0.25 = 0xBE80; F64: 0.1
    data.putShort((short) 0x3E00).putShort((short) 0xC000);
    data.putShort((short) 0x3FC0).putShort((short) 0xBE80);
    data.putDouble(0.1);
    String header =
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
            + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]}}";
    SafeTensors.Contents c = read(file(header, data.array()));
    assertArrayEquals(new float[] {1.5f, -2f}, c.tensors().get("h").data());
    assertArrayEquals(new float[] {1.5f, -0.25f}, c.tensors().get("b").data());
    assertArrayEquals(new float[] {0.1f}, c.tensors().get("d").data());
    assertEquals(0, c.tensors().get("d").shape().length);
  }

  @Test
  void halfPrecisionSubnormalsAndInfinityConvert() {
    assertEquals(0x1p-24f, SafeTensors.DType.halfToFloat((short) 0x0001));
    assertEquals(-0f, SafeTensors.DType.halfToFloat((short) 0x8000));
    assertEquals(Float.POSITIVE_INFINITY, SafeTensors.DType.halfToFloat((short) 0x7C00));
    assertEquals(65504f, SafeTensors.DType.halfToFloat((short) 0x7BFF));
  }

  @Test
  void brokenFilesAreRefusedNamingTheFileAndTheProblem() {
    byte[] four = new byte[16];
    String ok = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    List<byte[]> broken =
        List.of(
            new byte[] {1, 2, 3},
            // truncated data
            Arrays.copyOf(file(ok, four), file(ok, four).length - 3),
            // bytes after the last tensor
            file(ok, new byte[20]),
            // offsets that do not match the shape
            file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", new byte[12]),
            // a gap before the first tensor
            file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
            // an unsupported dtype
            file("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
            // not JSON
            file("{\"x\":", new byte[0]),
            // a header length beyond the file
            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
    for (byte[] b : broken) {
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> read(b));
      assertTrue(e.getMessage().startsWith("w.safetensors: "), e.getMessage());
    }
  }
}
