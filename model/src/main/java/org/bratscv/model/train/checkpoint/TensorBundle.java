package org.bratscv.model.train.checkpoint;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The on-disk format of named float32 tensors (weights, optimizer buffers, SWA averages), written
 * and read one tensor at a time so memory stays bounded by the largest tensor:
 *
 * <pre>
 * "BRTB" int version=1
 * repeated: byte 1, UTF name, int rank, long[rank] dims, float32[prod(dims)] little-endian
 * byte 0 (end)
 * </pre>
 */
public final class TensorBundle {

  static final int MAGIC = 0x42525442;
  static final int VERSION = 1;

  private TensorBundle() {}

  /** One named tensor. */
  public record Tensor(String name, long[] shape, float[] data) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("tensor " + name + " has a negative dimension");
        }
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException(
            "tensor " + name + " has " + data.length + " values for " + n + " elements");
      }
    }
  }

  /** Streams tensors out; {@link #close()} writes the end marker (not closing the stream). */
  public static final class Writer implements AutoCloseable {
    private final DataOutputStream out;
    private boolean closed;

    public Writer(OutputStream out) throws IOException {
      this.out = new DataOutputStream(out);
      this.out.writeInt(MAGIC);
      this.out.writeInt(VERSION);
    }

    public void write(String name, long[] shape, float[] data) throws IOException {
      new Tensor(name, shape, data); // validates
      out.writeByte(1);
      out.writeUTF(name);
      out.writeInt(shape.length);
      for (long d : shape) {
        out.writeLong(d);
      }
      ByteBuffer buf = ByteBuffer.allocate(Math.min(data.length, 1 << 16) * Float.BYTES);
      buf.order(ByteOrder.LITTLE_ENDIAN);
      int i = 0;
      while (i < data.length) {
        buf.clear();
        int n = Math.min(data.length - i, buf.capacity() / Float.BYTES);
        buf.asFloatBuffer().put(data, i, n);
        out.write(buf.array(), 0, n * Float.BYTES);
        i += n;
      }
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        out.writeByte(0);
        out.flush();
        closed = true;
      }
    }
  }

  /** Reads tensors back in the order written; {@link #next()} is null after the last one. */
  public static final class Reader {
    private final DataInputStream in;
    private final String source;
    private boolean ended;

    public Reader(InputStream in, String source) throws IOException {
      this.in = new DataInputStream(in);
      this.source = source;
      int magic;
      int version;
      try {
        magic = this.in.readInt();
        version = this.in.readInt();
      } catch (EOFException e) {
        throw new CorruptCheckpointException(source + ": truncated tensor file", e);
      }
      if (magic != MAGIC) {
        throw new CorruptCheckpointException(source + ": not a tensor file (bad magic number)");
      }
      if (version != VERSION) {
        throw new CorruptCheckpointException(
            source + ": tensor file version " + version + ", this build reads " + VERSION);
      }
    }

    public Tensor next() throws IOException {
      if (ended) {
        return null;
      }
      try {
        byte marker = in.readByte();
        if (marker == 0) {
          ended = true;
          return null;
        }
        if (marker != 1) {
          throw new CorruptCheckpointException(source + ": bad entry marker " + marker);
        }
        String name = in.readUTF();
        int rank = in.readInt();
        if (rank < 0 || rank > 16) {
          throw new CorruptCheckpointException(source + ": tensor " + name + " has rank " + rank);
        }
        long[] shape = new long[rank];
        long n = 1;
        for (int a = 0; a < rank; a++) {
          shape[a] = in.readLong();
          if (shape[a] < 0 || shape[a] > Integer.MAX_VALUE) {
            throw new CorruptCheckpointException(
                source + ": tensor " + name + " has dimension " + shape[a]);
          }
          n *= shape[a];
          if (n > Integer.MAX_VALUE - 8) {
            throw new CorruptCheckpointException(source + ": tensor " + name + " is too large");
          }
        }
        float[] data = new float[(int) n];
        byte[] bytes = new byte[Math.min(data.length, 1 << 16) * Float.BYTES];
        int i = 0;
        while (i < data.length) {
          int k = Math.min(data.length - i, bytes.length / Float.BYTES);
          in.readFully(bytes, 0, k * Float.BYTES);
          ByteBuffer.wrap(bytes, 0, k * Float.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer()
              .get(data, i, k);
          i += k;
        }
        return new Tensor(name, shape, data);
      } catch (EOFException e) {
        throw new CorruptCheckpointException(source + ": truncated tensor file", e);
      }
    }
  }
}
