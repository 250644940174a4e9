package org.bratscv.jobs.stages;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.labels.Region;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.NetworkSettings;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.BuildInfo;
import org.bratscv.jobs.run.ModelPackage;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.interop.ReferenceStateDict;
import org.bratscv.model.interop.SafeTensors;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;

/**
 * Trained ensembles in and out of brats-cv as {@link ModelPackage}s: {@link #export} writes a run's
 * (or a package's) ensemble, {@link #importWeights} makes one from reference-named weights trained
 * anywhere, checking every tensor against the network the manifest declares.
 */
public final class ModelExport {
  /** What {@code tensor_names} says: the reference implementation's state-dict names. */
  public static final String TENSOR_NAMES =
      "open_brats2020 state_dict (src/models/unet.py EquiUnet / Att_EquiUnet)";

  /** What {@code label_scheme} says. */
  public static final String LABEL_SCHEME =
      "one sigmoid per nested region (ET, TC, WT), averaged over members and test-time"
          + " augmentations, thresholded; labelmaps numbered as the input layout's labels";

  private ModelExport() {}

  /** The network a package member declares (no dropout: inference). */
  static NetworkSettings network(ModelPackage.Member x) {
    EquiUnet.Config c =
        ReferenceStateDict.config(
            x.architecture(), x.width(), Norm.parse(x.norm()), x.deepSupervision());
    return new NetworkSettings(c.width(), c.norm(), c.deepSupervision(), c.attention(), 0f);
  }

  private static EquiUnet.Config config(NetworkSettings n) {
    return EquiUnet.builder()
        .optWidth(n.width())
        .optNorm(n.norm())
        .optDeepSupervision(n.deepSupervision())
        .optAttention(n.attention())
        .config();
  }

  /** The manifest's input channel names: the BraTS file suffixes in the network's order. */
  static List<String> inputChannels() {
    return Arrays.stream(Modality.values())
        .map(m -> m == Modality.T1GD ? "t1ce" : m.name().toLowerCase(Locale.ROOT))
        .toList();
  }

  static List<String> outputChannels() {
    return Arrays.stream(Region.values()).map(Region::name).toList();
  }

  /**
   * Writes the ensemble at {@code location} (a run folder, its train/ folder or models.csv, or a
   * package) as a package at {@code out} (a folder, or a zip when it ends in {@code .zip}).
   */
  public static ModelPackage.Manifest export(
      Configuration conf, String location, String variant, String out) throws IOException {
    TrainedEnsemble e = TrainedEnsemble.load(conf, location, variant);
    Map<String, OutputRoot.Writer> files = new LinkedHashMap<>();
    List<InferStage.Member> members = new ArrayList<>();
    e.members().values().forEach(members::addAll);
    for (InferStage.Member m : members) {
      files.put(
          ModelPackage.memberFile(m.pipeline(), m.fold()),
          o -> {
            Path dir = new Path(m.taskDir());
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
              EquiUnet net = LoadedModels.load(dir.getFileSystem(conf), dir, m.network(), manager);
              ReferenceStateDict.write(net, o);
            }
          });
    }
    Path target = new Path(out);
    return ModelPackage.write(
        target.getFileSystem(conf),
        target,
        files,
        sha -> {
          List<ModelPackage.Member> listed = new ArrayList<>();
          for (InferStage.Member m : members) {
            String file = ModelPackage.memberFile(m.pipeline(), m.fold());
            listed.add(member(m.pipeline(), m.fold(), file, sha.get(file), m, m.fingerprint()));
          }
          return new ModelPackage.Manifest(
              ModelPackage.FORMAT,
              TENSOR_NAMES,
              e.variant(),
              inputChannels(),
              outputChannels(),
              LABEL_SCHEME,
              manifest(e.labeling()),
              listed,
              provenance("exported from " + e.source()));
        });
  }

  private static ModelPackage.Member member(
      String pipeline, int fold, String file, String sha, InferStage.Member m, String fingerprint) {
    EquiUnet.Config c = config(m.network());
    return new ModelPackage.Member(
        pipeline,
        fold,
        file,
        sha,
        ReferenceStateDict.architecture(c),
        c.width(),
        c.norm().name().toLowerCase(Locale.ROOT),
        c.deepSupervision(),
        m.normalization().name(),
        fingerprint);
  }

  private static EquiUnet readReference(
      FileSystem fs, Path source, NetworkSettings network, NDManager manager) throws IOException {
    SafeTensors.Contents contents;
    try (InputStream in = fs.open(source)) {
      contents = SafeTensors.read(in, source.toString());
    }
    EquiUnet net = network.build();
    net.initialize(manager, 0);
    ReferenceStateDict.load(net, contents.tensors(), source.toString());
    return net;
  }

  /** A declared channel order must be brats-cv's: the weights would silently read other inputs. */
  private static void checkChannels(ModelPackage.Manifest declared) throws IOException {
    if (declared.inputChannels() != null && !declared.inputChannels().equals(inputChannels())) {
      throw new IOException(
          "the manifest's input_channels "
              + declared.inputChannels()
              + " are not brats-cv's "
              + inputChannels()
              + ": train with the channels in that order");
    }
    if (declared.outputChannels() != null && !declared.outputChannels().equals(outputChannels())) {
      throw new IOException(
          "the manifest's output_channels "
              + declared.outputChannels()
              + " are not brats-cv's "
              + outputChannels());
    }
  }

  /**
   * A manifest's ensemble settings as a {@link Labeling}; what it leaves out (null, or 0 for the
   * numbers) takes {@link Labeling#defaults} of no merge: TTA 16, threshold 0.5, fp32.
   *
   * @param pipelines the pipelines of the package's members
   * @param where the manifest, for messages
   * @throws IOException when a setting is invalid or the merge names a pipeline the members lack
   */
  static Labeling labeling(ModelPackage.EnsembleSettings e, Set<String> pipelines, Object where)
      throws IOException {
    Labeling labeling = Labeling.defaults(List.of());
    try {
      if (e != null) {
        labeling =
            new Labeling(
                e.tta() == 0 ? labeling.tta() : e.tta(),
                e.threshold() == 0 ? labeling.threshold() : e.threshold(),
                e.merge() == null ? labeling.merge() : e.merge(),
                e.precision() == null ? labeling.precision() : Precision.parse(e.precision()),
                e.brainMask());
      }
    } catch (ConfigException | IllegalArgumentException bad) {
      throw new IOException(where + ": " + bad.getMessage(), bad);
    }
    if (!pipelines.containsAll(labeling.merge())) {
      throw new IOException(
          where
              + ": ensemble merge "
              + labeling.merge()
              + " does not name two of the pipelines "
              + pipelines);
    }
    return labeling;
  }

  /** The manifest form of {@code labeling}. */
  static ModelPackage.EnsembleSettings manifest(Labeling labeling) {
    return new ModelPackage.EnsembleSettings(
        labeling.tta(),
        labeling.threshold(),
        labeling.merge(),
        labeling.precisionName(),
        labeling.brainMask());
  }

  private static Map<String, String> provenance(String source) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("source", source);
    p.put("brats_cv", BuildInfo.current().describe());
    p.put("written_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    return p;
  }

  /**
   * Makes a package at {@code out} from weights trained anywhere: {@code declared} lists the
   * members (their {@code file} relative to {@code base}, or absolute) with their networks and
   * normalisations; everything else may be left out (null) and takes brats-cv's defaults (TTA 16,
   * threshold 0.5, no merge, fp32). Every file must hold exactly the reference state dict of its
   * declared network; the package gets float32 copies named {@code <pipeline>-fold<k>.safetensors}
   * and, for members without one, their SHA-256 as fingerprint.
   */
  public static ModelPackage.Manifest importWeights(
      Configuration conf, ModelPackage.Manifest declared, Path base, String out)
      throws IOException {
    if (declared.members() == null || declared.members().isEmpty()) {
      throw new IOException("the manifest to import lists no member");
    }
    Map<String, OutputRoot.Writer> files = new LinkedHashMap<>();
    Map<String, ModelPackage.Member> byFile = new LinkedHashMap<>();
    for (ModelPackage.Member x : declared.members()) {
      if (x.pipeline() == null || x.file() == null) {
        throw new IOException("every member to import needs a pipeline and a file: " + x);
      }
      Path named = new Path(x.file());
      Path source =
          named.isAbsolute() || named.toUri().getScheme() != null
              ? named
              : new Path(base, x.file());
      NetworkSettings network = network(x);
      Normalization.parse(x.normalization()); // fails early on an unknown normalisation
      FileSystem fs = source.getFileSystem(conf);
      String file = ModelPackage.memberFile(x.pipeline(), x.fold());
      if (byFile.containsKey(file)) {
        throw new IOException("two members to import are " + x.pipeline() + " fold " + x.fold());
      }
      // every file is checked before anything is written, and read again when it is written, so
      // only one member's weights are in memory at a time
      try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
        readReference(fs, source, network, manager);
      }
      byFile.put(file, x);
      files.put(
          file,
          o -> {
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
              ReferenceStateDict.write(readReference(fs, source, network, manager), o);
            }
          });
    }
    checkChannels(declared);
    Set<String> pipelines = new TreeSet<>();
    byFile.values().forEach(x -> pipelines.add(x.pipeline()));
    ModelPackage.EnsembleSettings ensemble =
        manifest(labeling(declared.ensemble(), pipelines, "the manifest to import"));
    Path target = new Path(out);
    return ModelPackage.write(
        target.getFileSystem(conf),
        target,
        files,
        sha -> {
          List<ModelPackage.Member> listed = new ArrayList<>();
          byFile.forEach(
              (file, x) ->
                  listed.add(
                      new ModelPackage.Member(
                          x.pipeline(),
                          x.fold(),
                          file,
                          sha.get(file),
                          x.architecture(),
                          x.width(),
                          x.norm(),
                          x.deepSupervision(),
                          Normalization.parse(x.normalization()).name(),
                          x.fingerprint() == null || x.fingerprint().isBlank()
                              ? "sha256:" + sha.get(file)
                              : x.fingerprint())));
          Map<String, String> provenance = new LinkedHashMap<>();
          if (declared.provenance() != null) {
            provenance.putAll(declared.provenance());
          }
          provenance.putAll(provenance("imported from " + base));
          if (declared.provenance() != null && declared.provenance().containsKey("source")) {
            provenance.put(
                "source", declared.provenance().get("source") + "; imported from " + base);
          }
          return new ModelPackage.Manifest(
              ModelPackage.FORMAT,
              TENSOR_NAMES,
              declared.variant() == null ? "imported" : declared.variant(),
              inputChannels(),
              outputChannels(),
              LABEL_SCHEME,
              ensemble,
              listed,
              provenance);
        });
  }
}
