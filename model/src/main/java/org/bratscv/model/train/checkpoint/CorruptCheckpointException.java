package org.bratscv.model.train.checkpoint;

import java.io.IOException;

/** A checkpoint that exists but cannot be trusted: a checksum mismatch, a truncated or bad file. */
public final class CorruptCheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  public CorruptCheckpointException(String message) {
    super(message);
  }

  public CorruptCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
