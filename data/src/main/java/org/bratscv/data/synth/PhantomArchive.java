package org.bratscv.data.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.bratscv.data.cases.Layout;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiWriter;

/**
 * Writes synthetic cases as a BraTS 2020 archive: {@code root/BraTS20_<prefix>_001/
 * BraTS20_<prefix>_001_{t1,t1ce,t2,flair,seg}.nii.gz}, int16 images and a uint8 labelmap, with the
 * BraTS-like geometry of {@link PhantomGenerator#geometry()}. Every file is written atomically.
 *
 * @param prefix {@code Training} or {@code Validation}, as in the BraTS case names
 * @param firstIndex number of the first case (1-based)
 * @param withLabels false for an archive like BraTS's validation data (no seg files)
 */
public record PhantomArchive(
    PhantomGenerator generator, String prefix, int firstIndex, boolean withLabels) {

  /** Writes {@code count} cases under {@code root}; returns their ids in order. */
  public List<String> write(Path root, int count, Consumer<String> progress) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("number of cases must be at least 1, got " + count);
    }
    Files.createDirectories(root);
    NiftiWriter writer = NiftiWriter.withDefaults();
    NiftiHeader header = NiftiHeader.forGeometry(generator.geometry(), NiftiDataType.INT16);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(PhantomGenerator.caseId(prefix, firstIndex + i));
    }
    try {
      // cases are independent and deterministic, so they may be made in any order
      IntStream.range(0, count)
          .parallel()
          .forEach(
              i -> {
                try {
                  writeCase(root, ids.get(i), firstIndex + i, writer, header);
                  progress.accept(ids.get(i));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return ids;
  }

  private void writeCase(Path root, String id, int index, NiftiWriter writer, NiftiHeader header)
      throws IOException {
    Phantom p = generator.generate(id, index);
    Path dir = Files.createDirectories(root.resolve(id));
    for (Modality m : Modality.values()) {
      Path f = dir.resolve(Layout.BRATS2020.baseName(id, m) + ".nii.gz");
      writer.write(f, p.modalities().volume(m.channel()), header, NiftiDataType.INT16);
    }
    if (withLabels) {
      Path seg = dir.resolve(Layout.BRATS2020.segBaseName(id) + ".nii.gz");
      writer.write(seg, p.seg(), NiftiHeader.like(header, NiftiDataType.UINT8));
    }
  }
}
