package org.bratscv.model.train.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where checkpoints live: named byte streams, names are relative paths with {@code /} separators
 * (e.g. {@code epoch-000012/weights.bin}). {@link LocalCheckpointStore} writes to a local folder;
 * the Spark jobs add one over a Hadoop {@code FileSystem}.
 *
 * <p>Contract: {@link #put} is atomic, a reader sees either no entry or the complete one, never a
 * partial write (write to a temporary name, then rename); a failed put leaves no entry behind.
 */
public interface CheckpointStore {

  /** Writes the bytes of one entry to the given stream; the store owns and closes the stream. */
  @FunctionalInterface
  interface Payload {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Atomically creates or replaces entry {@code name} with what {@code payload} writes. */
  void put(String name, Payload payload) throws IOException;

  /** Opens entry {@code name}; throws {@link java.nio.file.NoSuchFileException} when absent. */
  InputStream open(String name) throws IOException;

  boolean exists(String name) throws IOException;

  /** Every entry whose name starts with {@code prefix}, sorted by name. */
  List<String> list(String prefix) throws IOException;

  /** Removes entry {@code name}; no error when it does not exist. */
  void delete(String name) throws IOException;

  /** Where this store lives, for error messages. */
  String describe();
}
