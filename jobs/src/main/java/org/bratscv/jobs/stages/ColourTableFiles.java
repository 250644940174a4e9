package org.bratscv.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.ViewerColourTables;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;

/**
 * Writes a labelmap folder's viewer files, once per folder after its labelmaps: 3D Slicer's colour
 * table ({@link RunFolder#slicerColourTable}) and ITK-SNAP's label description file ({@link
 * RunFolder#itkSnapLabels}), both in the labels of the folder's labelmaps, each atomically, and
 * only when the file does not hold them already.
 */
final class ColourTableFiles {
  private ColourTableFiles() {}

  static void write(FileSystem fs, Path labelmapDir, LabelScheme scheme) throws IOException {
    byte[] slicer = ViewerColourTables.slicer(scheme).getBytes(StandardCharsets.UTF_8);
    byte[] itk = ViewerColourTables.itkSnap(scheme).getBytes(StandardCharsets.UTF_8);
    writeOnce(fs, RunFolder.slicerColourTable(labelmapDir), slicer);
    writeOnce(fs, RunFolder.itkSnapLabels(labelmapDir), itk);
  }

  /** Writes {@code bytes} unless the file holds them already (a rerun rewrites nothing). */
  private static void writeOnce(FileSystem fs, Path file, byte[] bytes) throws IOException {
    if (fs.exists(file) && fs.getFileStatus(file).getLen() == bytes.length) {
      try (InputStream in = fs.open(file)) {
        if (Arrays.equals(in.readAllBytes(), bytes)) {
          return;
        }
      }
    }
    OutputRoot.writeAtomically(fs, file, o -> o.write(bytes));
  }
}
