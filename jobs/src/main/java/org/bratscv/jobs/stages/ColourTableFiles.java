package org.bratscv.jobs.stages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.ViewerColourTables;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;

/**
 * Writes a labelmap folder's viewer files, once per folder after its labelmaps: 3D Slicer's colour
 * table ({@link RunFolder#slicerColourTable}) and ITK-SNAP's label description file ({@link
 * RunFolder#itkSnapLabels}), both in the labels of the folder's labelmaps, each atomically.
 */
final class ColourTableFiles {
  private ColourTableFiles() {}

  static void write(FileSystem fs, Path labelmapDir, LabelScheme scheme) throws IOException {
    byte[] slicer = ViewerColourTables.slicer(scheme).getBytes(StandardCharsets.UTF_8);
    byte[] itk = ViewerColourTables.itkSnap(scheme).getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, RunFolder.slicerColourTable(labelmapDir), o -> o.write(slicer));
    OutputRoot.writeAtomically(fs, RunFolder.itkSnapLabels(labelmapDir), o -> o.write(itk));
  }
}
