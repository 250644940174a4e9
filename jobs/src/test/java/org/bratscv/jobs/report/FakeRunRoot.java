package org.bratscv.jobs.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bratscv.data.cases.Layout;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.metrics.CaseEvaluator;
import org.bratscv.data.metrics.CaseMetrics;
import org.bratscv.data.metrics.MetricConventions;
import org.bratscv.data.metrics.RegionMetrics;
import org.bratscv.data.metrics.SummaryStatistics;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.jobs.io.Csv;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.Provenance;
import org.bratscv.jobs.stages.CaseRecord;

/**
 * Output roots of finished runs, written by hand in the formats the stages write (see README
 * "Outputs"), without Spark or training: synthetic BraTS 2020 archives ({@link PhantomArchive}),
 * {@code case.json} per case, labelmaps made from the ground truth by shifting it (a different
 * shift per case and set, so the cases score differently), {@code evaluate/metrics.csv} and {@code
 * summary.csv} scored by the data module's {@link CaseEvaluator}, and a {@code train/log.csv} with
 * falling losses and rising validation Dice.
 */
public final class FakeRunRoot {
  /** Phantom size: small, and x != y so that a transposed picture would show. */
  public static final Dims DIMS = new Dims(48, 40, 24);

  public static final int TRAIN_CASES = 5;
  public static final int TEST_CASES = 2;
  public static final int FOLDS = 2;
  public static final int EPOCHS = 9;

  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeRunRoot() {}

  /** The training and test archives under {@code dir/archive}, written once per folder. */
  record Archives(List<String> train, List<String> test, Path trainRoot, Path testRoot) {}

  static Archives archives(Path dir) throws IOException {
    PhantomGenerator gen = new PhantomGenerator(DIMS, 11);
    Path train = dir.resolve("archive/train");
    Path test = dir.resolve("archive/test");
    List<String> trainIds =
        new PhantomArchive(gen, "Training", 1, true).write(train, TRAIN_CASES, id -> {});
    List<String> testIds =
        new PhantomArchive(gen, "Validation", 1000, true).write(test, TEST_CASES, id -> {});
    return new Archives(trainIds, testIds, train, test);
  }

  /** A cross-validation root at {@code dir/run}: oof-A/B/merged and test-A/B/merged, scored. */
  public static Path crossValidation(Path dir) throws IOException {
    Archives a = archives(dir);
    Path root = dir.resolve("run");
    writeCases(root, a.train(), a.trainRoot());
    writeCases(root.resolve("test"), a.test(), a.testRoot());
    List<String[]> metrics = new ArrayList<>();
    String[] sets = {"A", "B", "merged"};
    for (int s = 0; s < sets.length; s++) {
      metrics.addAll(predict(root, "oof-" + sets[s], a.train(), a.trainRoot(), s));
      metrics.addAll(predict(root.resolve("test"), "test-" + sets[s], a.test(), a.testRoot(), s));
    }
    writeScores(root, metrics);
    writeLog(root, List.of("baseline"));
    writeProvenance(root, a.train());
    return root;
  }

  /** A provenance record as a run writes it, with the cases' (made-up) fingerprints. */
  static void writeProvenance(Path root, List<String> caseIds) throws IOException {
    java.util.Map<String, String> cases = new java.util.TreeMap<>();
    caseIds.forEach(id -> cases.put(id, Fingerprint.sha256(id)));
    Provenance.of(
            Provenance.currentRuntime("4.0.4"),
            new Provenance.Devices("local[2]", "0", "0", List.of("cpu")),
            "name: fake\nseed: 1\n",
            Provenance.Inputs.of("/archive/train", null, cases),
            java.util.Map.of("model baseline/A/fold0", Fingerprint.sha256("model")))
        .write(
            org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
            new org.apache.hadoop.fs.Path(root.resolve("provenance.json").toString()));
  }

  /**
   * A sweep root at {@code dir/sweep}: shared {@code preprocess/} and {@code train/log.csv} (two
   * variants), {@code variants/<v>/} with oof-merged labelmaps and scores, and {@code
   * comparison.csv}.
   */
  public static Path sweep(Path dir) throws IOException {
    Archives a = archives(dir);
    Path root = dir.resolve("sweep");
    writeCases(root, a.train(), a.trainRoot());
    List<String> variants = List.of("baseline", "width8");
    for (int v = 0; v < variants.size(); v++) {
      Path results = root.resolve("variants").resolve(variants.get(v));
      writeScores(results, predict(results, "oof-merged", a.train(), a.trainRoot(), 2 * v));
    }
    writeLog(root, variants);
    writeProvenance(root, a.train());
    List<String[]> rows = new ArrayList<>();
    for (String variant : variants) {
      for (String region : List.of("ET", "TC", "WT")) {
        for (String metric : List.of("dice", "hd95")) {
          boolean base = variant.equals("baseline");
          double mean = metric.equals("dice") ? (base ? 0.81 : 0.74) : (base ? 6.5 : 9.25);
          double baseMean = metric.equals("dice") ? 0.81 : 6.5;
          rows.add(
              new String[] {
                variant,
                "baseline",
                "oof-merged",
                region,
                metric,
                fmt(mean),
                fmt(0.05),
                Integer.toString(FOLDS),
                fmt(baseMean),
                fmt(0.05),
                fmt(mean - baseMean),
                base ? "" : "0.0312",
                Integer.toString(TRAIN_CASES)
              });
        }
      }
    }
    write(
        root.resolve("comparison.csv"),
        Csv.table(org.bratscv.jobs.sweep.Comparison.TABLE.header(), rows));
    Files.writeString(root.resolve("sweep.yaml"), "variants: {baseline: {}, width8: {}}\n");
    return root;
  }

  /** {@code <root>/preprocess/cases/<id>/case.json} for every case (the images are not needed). */
  static void writeCases(Path root, List<String> ids, Path archive) throws IOException {
    for (String id : ids) {
      List<String> files = new ArrayList<>();
      for (Modality m : Modality.values()) {
        files.add(
            archive.resolve(id).resolve(Layout.BRATS2020.baseName(id, m) + ".nii.gz").toString());
      }
      files.add(
          archive.resolve(id).resolve(Layout.BRATS2020.segBaseName(id) + ".nii.gz").toString());
      PhantomGenerator gen = new PhantomGenerator(DIMS, 11);
      CaseRecord r =
          new CaseRecord(
              CaseRecord.FORMAT_VERSION,
              id,
              "brats2020",
              "brats2020",
              true,
              archive.resolve(id).toString(),
              files,
              DIMS.toArray(),
              new double[] {1, 1, 1},
              gen.geometry().affine().toRowMajor(),
              new int[] {0, 0, 0, DIMS.nx(), DIMS.ny(), DIMS.nz()},
              new int[] {0, 0, 0, 0, 0, 0},
              List.of("A", "B"),
              List.of(),
              List.of(),
              "",
              null);
      Path dir = Files.createDirectories(root.resolve("preprocess/cases").resolve(id));
      JSON.writeValue(dir.resolve("case.json").toFile(), r);
    }
  }

  /**
   * Writes {@code <predRoot>/predictions/<set>/<id>.nii.gz} for each case: its ground truth shifted
   * by (case number + {@code offset}) mod 4 voxels along x, with the enhancing tumor turned into
   * NCR/NET in every third case; returns the metrics rows of the set.
   */
  static List<String[]> predict(
      Path predRoot, String set, List<String> ids, Path archive, int offset) throws IOException {
    NiftiReader reader = NiftiReader.withDefaults();
    CaseEvaluator eval = new CaseEvaluator(LabelScheme.BRATS2020, MetricConventions.BRATS2020);
    List<String[]> rows = new ArrayList<>();
    for (int c = 0; c < ids.size(); c++) {
      String id = ids.get(c);
      Path seg = archive.resolve(id).resolve(Layout.BRATS2020.segBaseName(id) + ".nii.gz");
      LabelVolume gt = LabelVolume.fromVolume(reader.read(seg).toVolume());
      int shift = (c + offset) % 4;
      boolean dropEt = (c + offset) % 3 == 2;
      byte[] src = gt.labels();
      byte[] out = new byte[src.length];
      Dims d = gt.dims();
      for (int z = 0; z < d.nz(); z++) {
        for (int y = 0; y < d.ny(); y++) {
          for (int x = shift; x < d.nx(); x++) {
            byte l = src[d.index(x - shift, y, z)];
            out[d.index(x, y, z)] = dropEt && l == 4 ? 1 : l;
          }
        }
      }
      LabelVolume pred = new LabelVolume(gt.geometry(), out);
      Path file =
          Files.createDirectories(predRoot.resolve("predictions").resolve(set))
              .resolve(id + ".nii.gz");
      NiftiWriter.withDefaults().write(file, pred, reader.readHeader(seg));
      CaseMetrics m = eval.evaluate(pred, gt);
      for (Region r : Region.values()) {
        RegionMetrics rm = m.get(r);
        rows.add(
            new String[] {
              set,
              id,
              r.name(),
              fmt(rm.dice()),
              fmt(rm.hd95()),
              fmt(rm.sensitivity()),
              fmt(rm.specificity())
            });
      }
    }
    return rows;
  }

  /** {@code evaluate/metrics.csv} and {@code evaluate/summary.csv} as the evaluate stage writes. */
  static void writeScores(Path root, List<String[]> metrics) throws IOException {
    metrics.sort(
        (a, b) -> {
          int c = a[0].compareTo(b[0]);
          return c != 0 ? c : (a[1] + a[2]).compareTo(b[1] + b[2]);
        });
    write(
        root.resolve("evaluate/metrics.csv"),
        Csv.table(
            new String[] {
              "labelmap_set", "case_id", "region", "dice", "hd95", "sensitivity", "specificity"
            },
            metrics));
    Map<String, List<Double>> values = new LinkedHashMap<>();
    String[] names = {"dice", "hd95", "sensitivity", "specificity"};
    for (String[] m : metrics) {
      for (int k = 0; k < names.length; k++) {
        values
            .computeIfAbsent(m[0] + "," + m[2] + "," + names[k], x -> new ArrayList<>())
            .add(Double.parseDouble(m[3 + k]));
      }
    }
    List<String[]> summary = new ArrayList<>();
    for (Map.Entry<String, List<Double>> e : values.entrySet()) {
      String[] key = e.getKey().split(",");
      SummaryStatistics s =
          SummaryStatistics.of(e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
      summary.add(
          new String[] {
            key[0],
            key[1],
            key[2],
            fmt(s.mean()),
            fmt(s.std()),
            fmt(s.median()),
            fmt(s.q25()),
            fmt(s.q75()),
            Integer.toString(s.n())
          });
    }
    write(
        root.resolve("evaluate/summary.csv"),
        Csv.table(
            new String[] {
              "labelmap_set", "region", "metric", "mean", "std", "median", "q25", "q75", "n"
            },
            summary));
  }

  /** {@code train/log.csv}: pipelines A and B, every fold, validation every third epoch. */
  static void writeLog(Path root, List<String> variants) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      for (String pipeline : List.of("A", "B")) {
        for (int fold = 0; fold < FOLDS; fold++) {
          for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            double loss = 0.3 + (0.6 + 0.1 * fold + 0.05 * v) * Math.exp(-epoch / 4.0);
            boolean val = epoch % 3 == 0;
            double dice = 0.85 - 0.7 * Math.exp(-epoch / (3.0 + fold + v));
            rows.add(
                new String[] {
                  variants.get(v),
                  pipeline,
                  Integer.toString(fold),
                  Integer.toString(epoch),
                  epoch > EPOCHS - 2 && pipeline.equals("A") ? "swa" : "train",
                  fmt(loss),
                  val ? fmt(loss + 0.05) : "NaN",
                  val ? fmt(dice - 0.1) : "NaN",
                  val ? fmt(dice - 0.05) : "NaN",
                  val ? fmt(dice) : "NaN",
                  String.format(Locale.ROOT, "%.3e", 1e-4),
                  "1.50"
                });
          }
        }
      }
    }
    write(
        root.resolve("train/log.csv"),
        Csv.table(
            new String[] {
              "variant",
              "pipeline",
              "fold",
              "epoch",
              "phase",
              "train_loss",
              "val_loss",
              "val_dice_et",
              "val_dice_tc",
              "val_dice_wt",
              "lr",
              "seconds"
            },
            rows));
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6f", v);
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }
}
