package org.bratscv.jobs.stages;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.synth.Phantom;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Volume;

/** Small archives in the layouts beyond BraTS folders, made of phantoms, for tests. */
public final class DatasetTrees {
  private DatasetTrees() {}

  /** BraTS 2020 labels (1 NCR, 2 edema, 4 ET) as the Decathlon numbers them (2, 1, 3). */
  public static LabelVolume toDecathlonLabels(LabelVolume brats) {
    byte[] in = brats.labels();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] =
          (byte)
              switch (in[i]) {
                case 1 -> 2;
                case 2 -> 1;
                case 4 -> 3;
                default -> in[i];
              };
    }
    return new LabelVolume(brats.geometry(), out);
  }

  /** Writes the case as the Decathlon does: FLAIR, T1w, T1gd, T2w in one 4-D file. */
  public static void writeDecathlonCase(
      Path task, String folder, Phantom p, int volumes, LabelVolume seg) throws IOException {
    List<Volume> order =
        List.of(
            p.modalities().volume(3),
            p.modalities().volume(0),
            p.modalities().volume(1),
            p.modalities().volume(2));
    MultiChannelVolume image = MultiChannelVolume.stack(order.subList(0, volumes));
    NiftiHeader like = NiftiHeader.forGeometry(image.geometry(), NiftiDataType.FLOAT32);
    Files.createDirectories(task.resolve(folder));
    try (OutputStream out =
        Files.newOutputStream(task.resolve(folder).resolve(p.caseId() + ".nii.gz"))) {
      NiftiWriter.withDefaults().write(out, true, image, like, NiftiDataType.FLOAT32, "MRI");
    }
    if (seg != null) {
      Files.createDirectories(task.resolve("labelsTr"));
      NiftiWriter.withDefaults()
          .write(
              task.resolve("labelsTr").resolve(p.caseId() + ".nii.gz"),
              seg,
              NiftiHeader.forGeometry(seg.geometry(), NiftiDataType.UINT8));
    }
  }

  /**
   * A Decathlon tree of 24x24x16 phantoms: BRATS_001..004 labelled, BRATS_005 with three sequences
   * only, BRATS_006 whose labelmap is smaller than its image, BRATS_485 in imagesTs, and an
   * AppleDouble file.
   */
  public static Path decathlon(Path task) throws IOException {
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 3);
    Files.createDirectories(task);
    Files.writeString(
        task.resolve("dataset.json"),
        "{\"name\": \"BRATS\", \"modality\": {\"0\": \"FLAIR\", \"1\": \"T1w\", \"2\": \"t1gd\","
            + " \"3\": \"T2w\"}, \"labels\": {\"0\": \"background\", \"1\": \"edema\","
            + " \"2\": \"non-enhancing tumor\", \"3\": \"enhancing tumour\"}}");
    for (int i = 1; i <= 4; i++) {
      Phantom p = gen.generate(String.format("BRATS_%03d", i), i);
      writeDecathlonCase(task, "imagesTr", p, 4, toDecathlonLabels(p.seg()));
    }
    // the AppleDouble file the Decathlon's tar carries next to each case
    Files.write(task.resolve("imagesTr/._BRATS_001.nii.gz"), new byte[] {0, 5, 22, 7});
    // bad channel count: three sequences only
    Phantom three = gen.generate("BRATS_005", 5);
    writeDecathlonCase(task, "imagesTr", three, 3, toDecathlonLabels(three.seg()));
    // wrong shape: the labelmap is smaller than the image
    Phantom wrong = gen.generate("BRATS_006", 6);
    LabelVolume small =
        toDecathlonLabels(new PhantomGenerator(new Dims(20, 24, 16), 3).generate("x", 6).seg());
    writeDecathlonCase(task, "imagesTr", wrong, 4, small);
    writeDecathlonCase(task, "imagesTs", gen.generate("BRATS_485", 485), 4, null);
    return task;
  }

  public static Set<Integer> labelValues(Path file) throws IOException {
    Set<Integer> out = new TreeSet<>();
    for (float v : NiftiReader.withDefaults().read(file).data()) {
      out.add((int) v);
    }
    return out;
  }

  /**
   * An nnU-Net raw data set of 24x24x16 phantoms, channels in the order T2w, FLAIR, T1, T1ce and
   * region labels in the Decathlon numbering: c1..c3 labelled, c4 in imagesTs.
   */
  public static Path nnUnet(Path root) throws IOException {
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 5);
    Files.createDirectories(root.resolve("imagesTr"));
    Files.createDirectories(root.resolve("imagesTs"));
    Files.createDirectories(root.resolve("labelsTr"));
    Files.writeString(
        root.resolve("dataset.json"),
        "{\"channel_names\": {\"0\": \"T2w\", \"1\": \"FLAIR\", \"2\": \"T1\", \"3\": \"T1ce\"},"
            + " \"labels\": {\"background\": 0, \"whole tumor\": [1, 2, 3],"
            + " \"tumor core\": [2, 3], \"enhancing tumor\": 3},"
            + " \"regions_class_order\": [1, 2, 3], \"numTraining\": 3, \"file_ending\": \".nii.gz\"}");
    List<Modality> channels = List.of(Modality.T2, Modality.FLAIR, Modality.T1, Modality.T1GD);
    NiftiWriter w = NiftiWriter.withDefaults();
    for (int i = 1; i <= 4; i++) {
      Phantom p = gen.generate("c" + i, i);
      NiftiHeader like = NiftiHeader.forGeometry(p.seg().geometry(), NiftiDataType.FLOAT32);
      Path images = root.resolve(i <= 3 ? "imagesTr" : "imagesTs");
      for (int c = 0; c < channels.size(); c++) {
        w.write(
            images.resolve(String.format("c%d_%04d.nii.gz", i, c)),
            p.modalities().volume(channels.get(c).channel()),
            like,
            NiftiDataType.FLOAT32);
      }
      if (i <= 3) {
        w.write(
            root.resolve("labelsTr").resolve("c" + i + ".nii.gz"),
            toDecathlonLabels(p.seg()),
            NiftiHeader.like(like, NiftiDataType.UINT8));
      }
    }
    return root;
  }

  /**
   * A CSV manifest {@code cases.csv} in {@code root} over a BraTS 2020 phantom archive written in
   * {@code root/files}: relative paths, columns in another order, one case without its seg.
   */
  public static Path manifest(Path root) throws IOException {
    Path files = root.resolve("files");
    List<String> ids =
        new PhantomArchive(new PhantomGenerator(new Dims(24, 24, 16), 7), "Training", 1, true)
            .write(files, 3, id -> {});
    StringBuilder csv = new StringBuilder("case_id,flair,t1,t1ce,t2,seg\n");
    for (String id : ids) {
      String d = "files/" + id + "/" + id;
      csv.append(id.replace("BraTS20_Training_", "case"))
          .append(',')
          .append(d + "_flair.nii.gz,")
          .append(d + "_t1.nii.gz,")
          .append(d + "_t1ce.nii.gz,")
          .append(d + "_t2.nii.gz,")
          .append(id.endsWith("3") ? "" : d + "_seg.nii.gz")
          .append('\n');
    }
    Path out = root.resolve("cases.csv");
    Files.writeString(out, csv);
    return out;
  }
}
