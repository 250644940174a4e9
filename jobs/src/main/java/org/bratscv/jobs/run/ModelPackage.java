package org.bratscv.jobs.run;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.io.OutputRoot;

/**
 * A trained ensemble that travels on its own: a folder or a zip holding {@code manifest.json} and
 * one {@code <pipeline>-fold<k>.safetensors} per member, whose tensors carry the reference
 * implementation's state-dict names. {@code model export} writes one from a run, {@code model
 * import} from weights trained anywhere, and {@code segment --models} reads it as it reads a run.
 *
 * <pre>
 * manifest.json              what the ensemble is: per member its file, SHA-256, network and
 *                            normalisation; the ensemble's TTA, threshold, merge and precision;
 *                            input and output channels; where it came from
 * A-fold0.safetensors ...    the members' weights (float32)
 * </pre>
 *
 * A member's weights are named by a location string: {@code <folder>/<file>} or, inside a zip,
 * {@code <zip>!/<file>} (the jar-URL convention), readable on any Hadoop file system.
 */
public final class ModelPackage {
  public static final String MANIFEST = "manifest.json";
  public static final String FORMAT = "brats-cv-model/1";
  public static final String WEIGHTS_SUFFIX = ".safetensors";
  static final String ZIP_SUFFIX = ".zip";
  static final String IN_ZIP = "!/";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ModelPackage() {}

  /**
   * The manifest.
   *
   * @param format {@link #FORMAT}
   * @param tensorNames the naming convention of the weights (the reference's state dict)
   * @param variant the run variant the ensemble was trained as
   * @param inputChannels the network's input channels in order
   * @param outputChannels the network's output channels in order (sigmoid per region)
   * @param labelScheme how outputs become labels
   * @param ensemble how the members' outputs are combined
   * @param members the networks
   * @param provenance where the weights came from (source, brats-cv build, time)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Manifest(
      String format,
      String tensorNames,
      String variant,
      List<String> inputChannels,
      List<String> outputChannels,
      String labelScheme,
      EnsembleSettings ensemble,
      List<Member> members,
      Map<String, String> provenance) {}

  /**
   * How the members vote: {@code tta} augmentations per member (1 or 16), the probability
   * threshold, the two pipelines of the second-pass merge (or none), the inference precision, and
   * whether the region maps are restricted to the brain ({@code brain_mask}; false where a manifest
   * leaves it out, as manifests written before it existed do).
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record EnsembleSettings(
      int tta, double threshold, List<String> merge, String precision, boolean brainMask) {}

  /**
   * One network of the ensemble.
   *
   * @param file its weights, relative to the manifest
   * @param sha256 of that file
   * @param architecture {@code EquiUnet} or {@code Att_EquiUnet}
   * @param norm {@code group} or {@code instance}
   * @param normalization the intensity normalisation of its inputs: {@code A} (min-max of the
   *     1st-99th percentile of non-zero voxels) or {@code B} (z-score of non-zero voxels)
   * @param fingerprint what the model was made from (brats-cv's model fingerprint; for imported
   *     weights, their SHA-256)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Member(
      String pipeline,
      int fold,
      String file,
      String sha256,
      String architecture,
      int width,
      String norm,
      boolean deepSupervision,
      String normalization,
      String fingerprint) {}

  /** The file name of a member's weights in a package. */
  public static String memberFile(String pipeline, int fold) {
    return OutputRoot.checkPart(pipeline) + "-fold" + fold + WEIGHTS_SUFFIX;
  }

  /** Whether {@code location} is a package: a {@code .zip} file or a folder with a manifest. */
  public static boolean isPackage(FileSystem fs, Path location) throws IOException {
    if (!fs.exists(location)) {
      return false;
    }
    if (fs.getFileStatus(location).isFile()) {
      return isZip(location);
    }
    return fs.exists(new Path(location, MANIFEST));
  }

  private static boolean isZip(Path p) {
    return p.getName().toLowerCase(Locale.ROOT).endsWith(ZIP_SUFFIX);
  }

  /** Whether a member location names package weights (else it is a checkpoint folder). */
  public static boolean isWeightsLocation(String location) {
    return location.endsWith(WEIGHTS_SUFFIX);
  }

  /** The location of file {@code file} of the package at {@code location}. */
  public static String memberLocation(FileSystem fs, Path location, String file) {
    String base = fs.makeQualified(location).toString();
    return isZip(location) ? base + IN_ZIP + file : new Path(base, file).toString();
  }

  /** Reads the manifest of the package at {@code location} (folder or zip). */
  public static Manifest readManifest(FileSystem fs, Path location) throws IOException {
    String where = memberLocation(fs, location, MANIFEST);
    try (InputStream in = open(fs, where)) {
      Manifest m = JSON.readValue(in, Manifest.class);
      check(m, where);
      return m;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(where + ": not a model manifest: " + e.getOriginalMessage(), e);
    }
  }

  /** A manifest read from its own JSON file (a hand-written one for {@code model import}). */
  public static Manifest readManifestFile(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return JSON.readValue(in, Manifest.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(file + ": not a model manifest: " + e.getOriginalMessage(), e);
    }
  }

  private static void check(Manifest m, String where) throws IOException {
    if (!FORMAT.equals(m.format())) {
      throw new IOException(
          where + ": format " + m.format() + ", this brats-cv reads " + FORMAT + " packages");
    }
    if (m.members() == null || m.members().isEmpty()) {
      throw new IOException(where + ": the manifest lists no member");
    }
    if (m.ensemble() == null) {
      throw new IOException(where + ": the manifest has no ensemble settings");
    }
  }

  /**
   * Opens a location: a file on a Hadoop file system, or {@code <zip>!/<entry>} (the zip read from
   * its start up to the entry, so any file system will do).
   */
  public static InputStream open(FileSystem fs, String location) throws IOException {
    int bang = location.indexOf(IN_ZIP);
    if (bang < 0) {
      return fs.open(new Path(location));
    }
    String zip = location.substring(0, bang);
    String entry = location.substring(bang + IN_ZIP.length());
    ZipInputStream in = new ZipInputStream(fs.open(new Path(zip)));
    try {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals(entry)) {
          return in;
        }
      }
    } catch (IOException | RuntimeException e) {
      in.close();
      throw new IOException(zip + ": not a readable zip (" + e.getMessage() + ")", e);
    }
    in.close();
    throw new NoSuchFileException(zip + " has no entry " + entry);
  }

  /**
   * Writes a package to {@code out}: a zip when its name ends in {@code .zip} (written atomically),
   * else a folder (each file atomically). The member files come first, each digested while it is
   * written; then {@code manifestFor} turns the SHA-256 of each file into the manifest, written
   * last, so a folder with a manifest is complete.
   */
  public static Manifest write(
      FileSystem fs,
      Path out,
      Map<String, OutputRoot.Writer> files,
      Function<Map<String, String>, Manifest> manifestFor)
      throws IOException {
    Map<String, String> sha = new LinkedHashMap<>();
    Manifest[] manifest = new Manifest[1];
    if (isZip(out)) {
      OutputRoot.writeAtomically(
          fs,
          out,
          o -> {
            ZipOutputStream zip = new ZipOutputStream(o);
            for (Map.Entry<String, OutputRoot.Writer> f : files.entrySet()) {
              zip.putNextEntry(new ZipEntry(f.getKey()));
              sha.put(f.getKey(), digesting(new NonClosing(zip), f.getValue()));
              zip.closeEntry();
            }
            manifest[0] = manifestFor.apply(sha);
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writeValueAsBytes(manifest[0]));
            zip.closeEntry();
            zip.finish();
          });
    } else {
      fs.mkdirs(out);
      fs.delete(new Path(out, MANIFEST), false);
      for (Map.Entry<String, OutputRoot.Writer> f : files.entrySet()) {
        OutputRoot.writeAtomically(
            fs, new Path(out, f.getKey()), o -> sha.put(f.getKey(), digesting(o, f.getValue())));
      }
      manifest[0] = manifestFor.apply(sha);
      byte[] json = JSON.writeValueAsBytes(manifest[0]);
      OutputRoot.writeAtomically(fs, new Path(out, MANIFEST), o -> o.write(json));
    }
    return manifest[0];
  }

  private static String digesting(java.io.OutputStream out, OutputRoot.Writer writer)
      throws IOException {
    java.security.MessageDigest md = Fingerprint.digest();
    java.security.DigestOutputStream d = new java.security.DigestOutputStream(out, md);
    writer.write(d);
    d.flush();
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /** The manifest as JSON text (as written into a package). */
  public static String toJson(Manifest m) throws IOException {
    return JSON.writeValueAsString(m);
  }

  /**
   * Checks every member file of the package at {@code location} against the manifest's SHA-256,
   * reading the package once; a changed, missing or extra file is an error naming it.
   */
  public static void verify(FileSystem fs, Path location, Manifest m) throws IOException {
    Map<String, String> expected = new LinkedHashMap<>();
    m.members().forEach(x -> expected.put(x.file(), x.sha256()));
    Map<String, String> actual = new LinkedHashMap<>();
    if (isZip(location)) {
      try (ZipInputStream in = new ZipInputStream(fs.open(location))) {
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          if (expected.containsKey(e.getName())) {
            actual.put(e.getName(), sha256(in));
          }
        }
      }
    } else {
      for (String file : expected.keySet()) {
        Path p = new Path(location, file);
        if (fs.exists(p)) {
          try (InputStream in = fs.open(p)) {
            actual.put(file, sha256(in));
          }
        }
      }
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String got = actual.get(e.getKey());
      if (got == null) {
        throw new IOException(location + ": member file " + e.getKey() + " is missing");
      }
      if (!got.equals(e.getValue())) {
        throw new IOException(
            location
                + ": member file "
                + e.getKey()
                + " has SHA-256 "
                + got
                + ", the manifest says "
                + e.getValue()
                + " (changed or corrupted)");
      }
    }
  }

  /** Hex SHA-256 of what {@code in} holds to its end (not closed). */
  public static String sha256(InputStream in) throws IOException {
    java.security.MessageDigest md = Fingerprint.digest();
    byte[] buf = new byte[1 << 16];
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      md.update(buf, 0, n);
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /** The members of {@code m} by pipeline, in manifest order. */
  public static Map<String, List<Member>> byPipeline(Manifest m) {
    Map<String, List<Member>> out = new LinkedHashMap<>();
    for (Member x : m.members()) {
      out.computeIfAbsent(x.pipeline(), k -> new ArrayList<>()).add(x);
    }
    return out;
  }

  /** Keeps a zip entry open when a writer closes its stream. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(java.io.OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
