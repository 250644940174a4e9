package org.bratscv.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bratscv.data.cases.BratsCase;
import org.bratscv.data.cases.CaseDiscovery;
import org.bratscv.data.cases.DiscoveryProblem;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.preprocess.CasePreparation;
import org.bratscv.data.preprocess.InvalidCaseException;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.jobs.io.HadoopCaseStore;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.spark.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preprocess stage: discovers the cases of an archive on the driver (a listing, no volume),
 * then, in Spark tasks of a few cases each, loads, checks, crops and normalises every case for each
 * pipeline and writes it in the {@link PreparedCaseFiles} format. Writes {@code
 * preprocess/manifest.parquet} and its twin {@code preprocess/manifest.csv}: one row per case,
 * {@code ok} or {@code error} with a reason naming the file and the problem, and the case's
 * fingerprint. A bad case never stops the others. A case whose {@code case.json} exists is complete
 * and is skipped on a rerun, unless its source files changed (size or modification time), its label
 * scheme differs or it lacks a normalisation now needed: then it is preprocessed again.
 */
public final class PreprocessStage {
  private static final Logger LOG = LoggerFactory.getLogger(PreprocessStage.class);

  /**
   * What the stage needs.
   *
   * @param archive root of the archive (file:, hdfs:, s3a:): BraTS case folders, a Decathlon or
   *     nnU-Net data set folder, or a CSV manifest
   * @param labelScheme labels of the archive, or null to take each case's own (its layout's, or its
   *     {@code dataset.json}'s)
   * @param casesPerTask how many cases one Spark task handles
   * @param maxVoxelBytes largest voxel payload a NIfTI header may declare
   */
  public record Settings(
      String archive,
      OutputRoot out,
      Set<Normalization> normalizations,
      LabelScheme labelScheme,
      int casesPerTask,
      long maxVoxelBytes)
      implements Serializable {}

  /** The manifest rows, ok and error, sorted by case id. */
  public record Result(List<CaseManifestRow> rows) {
    public List<CaseManifestRow> ok() {
      return rows.stream().filter(CaseManifestRow::isOk).toList();
    }

    public List<CaseManifestRow> errors() {
      return rows.stream().filter(r -> !r.isOk()).toList();
    }
  }

  public Result run(SparkSession spark, Settings s) throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    CaseDiscovery.Result found =
        new CaseDiscovery(new HadoopCaseStore(conf.get())).discover(s.archive());
    List<BratsCase> cases = found.cases();
    LOG.info(
        "preprocess: {} cases found under {} ({} discovery problems)",
        cases.size(),
        s.archive(),
        found.problems().size());
    List<CaseManifestRow> rows = new ArrayList<>();
    for (DiscoveryProblem p : found.problems()) {
      rows.add(
          CaseManifestRow.error(
              p.caseId(),
              "",
              "case " + p.caseId() + ": " + p.reason() + " (" + p.path() + ")",
              p.path()));
    }
    if (!cases.isEmpty()) {
      int slices = Math.max(1, (cases.size() + s.casesPerTask() - 1) / s.casesPerTask());
      try (Progress progress =
          Progress.start(spark.sparkContext(), "preprocess: cases", cases.size())) {
        LongAccumulator done = progress.counter();
        sc.setJobDescription("preprocess " + cases.size() + " cases");
        rows.addAll(
            sc.parallelize(cases, slices)
                .mapPartitions(it -> processAll(it, s, conf, done))
                .collect());
      }
    }
    rows.sort(java.util.Comparator.comparing(CaseManifestRow::getCaseId));
    writeManifest(spark, s.out(), rows);
    Result r = new Result(rows);
    LOG.info("preprocess: {} cases ok, {} with errors", r.ok().size(), r.errors().size());
    return r;
  }

  private static Iterator<CaseManifestRow> processAll(
      Iterator<BratsCase> cases, Settings s, HadoopConf conf, LongAccumulator done)
      throws IOException {
    FileSystem fs = s.out().fileSystem(conf.get());
    NiftiReader reader = new NiftiReader(s.maxVoxelBytes());
    List<CaseManifestRow> out = new ArrayList<>();
    while (cases.hasNext()) {
      out.add(process(cases.next(), s, fs, conf, reader));
      done.add(1);
    }
    return out.iterator();
  }

  /** One case, never throwing for a problem of the case itself. */
  static CaseManifestRow process(
      BratsCase c, Settings s, FileSystem outFs, HadoopConf conf, NiftiReader reader) {
    long t0 = System.nanoTime();
    String layout = c.layout().name().toLowerCase(Locale.ROOT);
    try {
      Path dir = new RunFolder(s.out()).caseDir(c.id());
      LabelScheme scheme = s.labelScheme() != null ? s.labelScheme() : c.labelScheme();
      String schemeName = scheme.name().toLowerCase(Locale.ROOT);
      List<String> stats = sourceStats(c, conf);
      if (PreparedCaseFiles.isComplete(outFs, dir)) {
        CaseRecord r = PreparedCaseFiles.readRecord(outFs, dir);
        String stale = staleness(r, schemeName, stats, names(s.normalizations()));
        if (stale == null) {
          return okRow(c, r, t0);
        }
        LOG.info("preprocess: case {} is preprocessed again: {}", c.id(), stale);
      }
      if (outFs.exists(dir)) {
        outFs.delete(dir, true); // left by a killed run, or made from other inputs or settings
      }
      List<String> sha256 = new ArrayList<>();
      PreparedCase pc = prepare(c, scheme, s.normalizations(), c.hasLabel(), conf, reader, sha256);
      CaseRecord record =
          CaseRecord.of(c, schemeName, pc.crop(), names(s.normalizations()), sha256, stats);
      PreparedCaseFiles.write(outFs, dir, pc, record);
      return okRow(c, record, t0);
    } catch (InvalidCaseException e) {
      return CaseManifestRow.error(c.id(), layout, e.getMessage(), c.folder());
    } catch (IOException | RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      return CaseManifestRow.error(c.id(), layout, "case " + c.id() + ": " + msg, c.folder());
    } catch (OutOfMemoryError e) {
      // a case too large for this executor must not take the other cases down with it
      return CaseManifestRow.error(
          c.id(), layout, "case " + c.id() + ": out of memory while preprocessing", c.folder());
    }
  }

  /**
   * Why {@code c} would be preprocessed (again) by a run of {@code s}, or null when its complete
   * preprocessed files are kept: the rule of {@link #process}, read-only, for {@code brats-cv
   * check}.
   */
  public static String whyRedo(BratsCase c, Settings s, FileSystem outFs, HadoopConf conf)
      throws IOException {
    Path dir = new RunFolder(s.out()).caseDir(c.id());
    if (!PreparedCaseFiles.isComplete(outFs, dir)) {
      return "not preprocessed yet";
    }
    LabelScheme scheme = s.labelScheme() != null ? s.labelScheme() : c.layout().labelScheme();
    return staleness(
        PreparedCaseFiles.readRecord(outFs, dir),
        scheme.name().toLowerCase(Locale.ROOT),
        sourceStats(c, conf),
        names(s.normalizations()));
  }

  /**
   * Why a complete preprocessed case cannot be kept, or null when it can: it must be of this
   * format, from source files of the same size and modification time, with the same label scheme,
   * and hold every normalisation asked for (it may hold more).
   */
  static String staleness(
      CaseRecord r, String labelScheme, List<String> sourceStats, List<String> normalizations) {
    if (r.formatVersion() != CaseRecord.FORMAT_VERSION || r.fingerprint() == null) {
      return "written by an older brats-cv (format " + r.formatVersion() + ")";
    }
    if (!r.labelScheme().equals(labelScheme)) {
      return "label scheme " + r.labelScheme() + " -> " + labelScheme;
    }
    if (!r.sourceStats().equals(sourceStats)) {
      List<String> changed = new ArrayList<>();
      for (int i = 0; i < r.sourceFiles().size(); i++) {
        if (i >= sourceStats.size() || !r.sourceStats().get(i).equals(sourceStats.get(i))) {
          changed.add(fileName(r.sourceFiles().get(i)));
        }
      }
      return "source files changed (size or modification time): " + changed;
    }
    if (!r.normalizations().containsAll(normalizations)) {
      return "normalisations " + r.normalizations() + " -> " + normalizations;
    }
    return null;
  }

  /** "size:modification time" of each source file (modalities, then the seg). */
  static List<String> sourceStats(BratsCase c, HadoopConf conf) throws IOException {
    List<String> files = new ArrayList<>(c.modalityPaths());
    if (c.hasLabel()) {
      files.add(c.segPath());
    }
    List<String> out = new ArrayList<>();
    for (String f : files) {
      Path p = new Path(f);
      try {
        FileStatus st = p.getFileSystem(conf.get()).getFileStatus(p);
        out.add(st.getLen() + ":" + st.getModificationTime());
      } catch (java.io.FileNotFoundException e) {
        out.add("missing");
      }
    }
    return out;
  }

  /**
   * Reads, checks, crops and normalises one case in memory, writing nothing: the one path every
   * stage that starts from an archive goes through.
   *
   * @param withLabels read the case's seg file too (it must have one)
   * @param sha256 when not null, receives the SHA-256 of each file's bytes, in reading order
   * @throws InvalidCaseException for a problem of the case's files, naming the file
   */
  static PreparedCase prepare(
      BratsCase c,
      LabelScheme scheme,
      Set<Normalization> normalizations,
      boolean withLabels,
      HadoopConf conf,
      NiftiReader reader,
      List<String> sha256)
      throws IOException {
    List<NamedVolume> modalities = new ArrayList<>();
    Map<String, List<org.bratscv.data.nifti.NiftiImage>> fourD = new HashMap<>();
    for (Modality m : Modality.values()) {
      String file = c.modalityPath(m);
      int volume = c.modalityVolume(m);
      if (volume == BratsCase.WHOLE_FILE) {
        modalities.add(
            new NamedVolume(fileName(file), read(file, conf, reader, sha256).toVolume()));
        continue;
      }
      // one 4-D file holds the four sequences (the Decathlon's images): read and hash it once
      List<org.bratscv.data.nifti.NiftiImage> volumes = fourD.get(file);
      if (volumes == null) {
        volumes = readVolumeImages(file, conf, reader, sha256);
        if (volumes.size() != Modality.values().length) {
          throw new InvalidCaseException(
              c.id(),
              List.of(file),
              fileName(file)
                  + ": holds "
                  + volumes.size()
                  + " volume(s) (shape "
                  + java.util.Arrays.toString(volumes.get(0).header().shape())
                  + "), expected the 4 MRI sequences");
        }
        fourD.put(file, volumes);
      }
      modalities.add(
          new NamedVolume(
              fileName(file) + "[" + volume + "] (" + m + ")", volumes.get(volume).toVolume()));
    }
    LabelVolume seg = null;
    if (withLabels) {
      try {
        seg = read(c.segPath(), conf, sha256, reader::readLabels);
      } catch (IllegalArgumentException e) {
        throw new InvalidCaseException(
            c.id(), List.of(c.segPath()), fileName(c.segPath()) + ": " + e.getMessage());
      }
    }
    return CasePreparation.PAPER.prepare(
        c.id(), modalities, withLabels ? fileName(c.segPath()) : null, seg, scheme, normalizations);
  }

  private static CaseManifestRow okRow(BratsCase c, CaseRecord r, long t0) {
    int[] b = r.box();
    BoundingBox box = new BoundingBox(b[0], b[1], b[2], b[3], b[4], b[5]);
    return CaseManifestRow.ok(
        c.id(),
        c.layout().name().toLowerCase(Locale.ROOT),
        r.hasLabel(),
        org.bratscv.data.volume.Dims.of(r.originalDims()).toString(),
        box.x0() + ":" + box.x1() + "," + box.y0() + ":" + box.y1() + "," + box.z0() + ":"
            + box.z1(),
        (System.nanoTime() - t0) / 1e9,
        c.folder(),
        r.fingerprint());
  }

  /** Reads one 3-D source file, hashing its bytes on the way when {@code sha256} is not null. */
  private static org.bratscv.data.nifti.NiftiImage read(
      String file, HadoopConf conf, NiftiReader reader, List<String> sha256) throws IOException {
    return read(file, conf, sha256, (in, name, length) -> reader.read(in, name, length));
  }

  /** Reads every volume of a (4-D) source file, hashing as {@link #read} does. */
  private static List<org.bratscv.data.nifti.NiftiImage> readVolumeImages(
      String file, HadoopConf conf, NiftiReader reader, List<String> sha256) throws IOException {
    return read(
        file, conf, sha256, (in, name, length) -> reader.readVolumeImages(in, name, length));
  }

  private interface Decoder<T> {
    T decode(InputStream in, String name, long length) throws IOException;
  }

  private static <T> T read(String file, HadoopConf conf, List<String> sha256, Decoder<T> decoder)
      throws IOException {
    Path p = new Path(file);
    FileSystem fs = p.getFileSystem(conf.get());
    long length = fs.getFileStatus(p).getLen();
    if (sha256 == null) {
      try (InputStream in = fs.open(p)) {
        return decoder.decode(in, fileName(file), length);
      }
    }
    MessageDigest digest = Fingerprint.digest();
    T image;
    try (InputStream in = new DigestInputStream(fs.open(p), digest)) {
      image = decoder.decode(in, fileName(file), length);
      in.transferTo(OutputStream.nullOutputStream()); // the hash covers the whole file
    }
    sha256.add(HexFormat.of().formatHex(digest.digest()));
    return image;
  }

  private static String fileName(String path) {
    return new Path(path).getName();
  }

  static List<String> names(Set<Normalization> ns) {
    return EnumSet.copyOf(ns).stream().map(Enum::name).toList();
  }

  private static void writeManifest(SparkSession spark, OutputRoot out, List<CaseManifestRow> rows)
      throws IOException {
    RunFolder f = new RunFolder(out);
    FileSystem fs = out.fileSystem(spark.sparkContext().hadoopConfiguration());
    CaseManifestRow.TABLE.write(spark, fs, f.caseManifestParquet(), f.caseManifestCsv(), rows);
    // the cases are done: whatever temporary remains was left by a killed task or run
    OutputRoot.removeTemporaries(fs, f.preprocessDir(), true);
  }
}
