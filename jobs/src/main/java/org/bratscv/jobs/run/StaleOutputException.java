package org.bratscv.jobs.run;

import java.io.IOException;

/**
 * A rerun stopped because existing outputs were made from something else and redoing them is costly
 * or ambiguous; the message names the difference and the flags that decide.
 */
public final class StaleOutputException extends IOException {
  private static final long serialVersionUID = 1L;

  public StaleOutputException(String message) {
    super(message);
  }
}
