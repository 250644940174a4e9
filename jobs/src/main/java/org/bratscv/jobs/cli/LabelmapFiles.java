package org.bratscv.jobs.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.volume.LabelVolume;

/** Reads a labelmap file for the command line, with errors that name the file. */
final class LabelmapFiles {
  private LabelmapFiles() {}

  static LabelVolume read(NiftiReader reader, Path file) throws IOException {
    try {
      return reader.readLabels(file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
