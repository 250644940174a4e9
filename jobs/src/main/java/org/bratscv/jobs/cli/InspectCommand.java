package org.bratscv.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.VoxelStatistics;
import org.bratscv.data.volume.Affine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brats-cv inspect FILE...}: header facts (version, byte order, shape, datatype, spacing,
 * affine, codes, scaling) and value statistics of NIfTI files, as text or one JSON object per file.
 * A file that cannot be read gets an error line; the others still print and the exit code is 1.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Header facts and voxel statistics (min, max, sum, mean after scaling, in double) of NIfTI"
          + " files.",
      "With --json: one JSON object per file and line (keys file, dims, datatype, spacing, affine,"
          + " min, max, sum, ...; unreadable files: file and error). Exit code 1 if any file"
          + " failed."
    })
public final class InspectCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = ".nii or .nii.gz files")
  List<Path> files;

  @Option(names = "--json", description = "one JSON object per file per line")
  boolean json;

  @Option(
      names = "--max-voxel-bytes",
      paramLabel = "BYTES",
      description = "refuse files declaring more voxel data than this (default ${DEFAULT-VALUE})")
  long maxVoxelBytes = NiftiReader.DEFAULT_MAX_VOXEL_BYTES;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NiftiReader reader = new NiftiReader(maxVoxelBytes);
    int failures = 0;
    for (Path file : files) {
      String name = file.toString();
      try {
        NiftiHeader h = reader.readHeader(file);
        VoxelStatistics s = VoxelStatistics.of(reader.readDoubles(file));
        out.println(json ? jsonLine(name, h, s) : text(name, h, s));
      } catch (IOException | RuntimeException e) {
        failures++;
        String message = describe(e);
        if (json) {
          ObjectNode o = mapper.createObjectNode();
          o.put("file", name);
          o.put("error", message);
          out.println(o);
        } else {
          err.println("inspect: " + message);
        }
      }
      out.flush();
    }
    return failures == 0 ? 0 : 1;
  }

  /**
   * The error as one line that names the file: NIfTI errors already do; file-system errors (whose
   * message is just the path) get words.
   */
  static String describe(Exception e) {
    if (e instanceof NoSuchFileException) {
      return e.getMessage() + ": no such file";
    }
    if (e instanceof AccessDeniedException) {
      return e.getMessage() + ": permission denied";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private String jsonLine(String name, NiftiHeader h, VoxelStatistics s) {
    ObjectNode o = mapper.createObjectNode();
    o.put("file", name);
    o.put("version", h.version());
    o.put("byte_order", byteOrder(h));
    ArrayNode dims = o.putArray("dims");
    for (int d : h.spatialDims().toArray()) {
      dims.add(d);
    }
    ArrayNode shape = o.putArray("shape");
    for (long d : h.shape()) {
      shape.add(d);
    }
    o.put("datatype", h.dataType().numpyName());
    ArrayNode spacing = o.putArray("spacing");
    for (double v : h.spacing()) {
      spacing.add(v);
    }
    ArrayNode affine = o.putArray("affine");
    for (double[] row : h.affine().toRows()) {
      ArrayNode r = affine.addArray();
      for (double v : row) {
        r.add(v);
      }
    }
    o.put("qform_code", h.qformCode());
    o.put("sform_code", h.sformCode());
    number(o, "scl_slope", h.sclSlope());
    number(o, "scl_inter", h.sclInter());
    o.put("scaled", !h.isUnscaled());
    o.put("vox_offset", h.voxOffset());
    o.put("xyzt_units", h.xyztUnits());
    o.put("descrip", h.descrip());
    o.put("voxels", s.count());
    o.put("nonzero_voxels", s.nonzeroCount());
    o.put("nan_voxels", s.nanCount());
    number(o, "min", s.min());
    number(o, "max", s.max());
    number(o, "sum", s.sum());
    number(o, "mean", s.mean());
    return o.toString();
  }

  /** Non-finite numbers are not JSON: they become null. */
  private static void number(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  private static String byteOrder(NiftiHeader h) {
    return h.byteOrder() == java.nio.ByteOrder.BIG_ENDIAN ? "big" : "little";
  }

  private static String text(String name, NiftiHeader h, VoxelStatistics s) {
    StringBuilder b = new StringBuilder(name).append('\n');
    line(
        b,
        "format",
        "NIfTI-%d, %s-endian, vox_offset %d",
        h.version(),
        byteOrder(h),
        h.voxOffset());
    StringBuilder shape = new StringBuilder();
    for (long d : h.shape()) {
      shape.append(shape.length() == 0 ? "" : " x ").append(d);
    }
    line(b, "shape", "%s  %s", shape, h.dataType().numpyName());
    double[] sp = h.spacing();
    line(b, "spacing", "%s x %s x %s mm", g(sp[0]), g(sp[1]), g(sp[2]));
    line(
        b,
        "scaling",
        "%s",
        h.isUnscaled() ? "none" : "value = raw * " + g(h.sclSlope()) + " + " + g(h.sclInter()));
    line(
        b,
        "transform",
        "qform_code %d, sform_code %d (affine from %s)",
        h.qformCode(),
        h.sformCode(),
        h.sformCode() > 0 ? "sform" : h.qformCode() > 0 ? "qform" : "pixdim");
    Affine a = h.affine();
    for (int r = 0; r < 4; r++) {
      double[] row = a.row(r);
      line(
          b,
          r == 0 ? "affine" : "",
          "[%12s %12s %12s %12s]",
          g(row[0]),
          g(row[1]),
          g(row[2]),
          g(row[3]));
    }
    line(
        b,
        "values",
        "min %s  max %s  mean %s  sum %s",
        g(s.min()),
        g(s.max()),
        g(s.mean()),
        g(s.sum()));
    line(
        b,
        "voxels",
        "%d (%d nonzero%s)",
        s.count(),
        s.nonzeroCount(),
        s.nanCount() > 0 ? ", " + s.nanCount() + " NaN" : "");
    if (!h.descrip().isEmpty()) {
      line(b, "descrip", "%s", h.descrip());
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String format, Object... args) {
    b.append(String.format(Locale.ROOT, "  %-10s ", label))
        .append(String.format(Locale.ROOT, format, args))
        .append('\n');
  }

  /** Compact number: integers without ".0", others with up to 8 significant digits. */
  private static String g(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.8g", v).replaceAll("\\.?0+(e|$)", "$1");
  }
}
