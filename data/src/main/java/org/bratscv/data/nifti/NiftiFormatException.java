package org.bratscv.data.nifti;

import java.io.IOException;

/**
 * A NIfTI file that cannot be read: bad magic, impossible header field, unsupported datatype,
 * truncated or corrupt data. The message starts with the file name and names the field, e.g. {@code
 * BraTS20_Training_001_t1.nii.gz: dim[3] = -5 (must be positive)}.
 */
public class NiftiFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public NiftiFormatException(String name, String problem) {
    super(name + ": " + problem);
  }

  public NiftiFormatException(String name, String problem, Throwable cause) {
    super(name + ": " + problem, cause);
  }
}
