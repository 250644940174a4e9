// Writes NIfTI files with brats-cv's NiftiWriter for bench/check_nibabel_interop.py, which loads
// them in nibabel. Run as a single-file program against the fat jar (not part of the Maven build):
//   java -cp jobs/target/brats-cv.jar bench/NiftiInteropWriter.java OUTDIR SOURCE.nii[.gz]...
// For each source it writes OUTDIR/<n>_like_<type>.nii[.gz] on the source's grid, plus one image
// from a geometry alone, and prints one JSON line per written file: the source, the written
// values (NIfTI order) and the header brats-cv reads back.
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;

public class NiftiInteropWriter {
  static final ObjectMapper M = new ObjectMapper();
  static final NiftiReader READER = NiftiReader.withDefaults();
  static final NiftiWriter WRITER = NiftiWriter.withDefaults();

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    NiftiDataType[] types = {NiftiDataType.FLOAT32, NiftiDataType.INT16, NiftiDataType.UINT8};
    for (int i = 1; i < args.length; i++) {
      Path source = Path.of(args[i]);
      NiftiHeader h = READER.readHeader(source);
      int n = h.spatialDims().voxels();
      for (NiftiDataType t : types) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
          v[k] = t == NiftiDataType.FLOAT32 ? k * 0.25f - 3 : k % 200;
        }
        String ext = (i + t.ordinal()) % 2 == 0 ? ".nii.gz" : ".nii";
        Path target = out.resolve(i + "_like_" + t.numpyName() + ext);
        if (t == NiftiDataType.UINT8) {
          byte[] labels = new byte[n];
          for (int k = 0; k < n; k++) {
            labels[k] = (byte) v[k];
          }
          WRITER.write(target, new LabelVolume(h.geometry(), labels), h);
        } else {
          WRITER.write(target, new Volume(h.geometry(), v), h, t);
        }
        report(target, source, v);
      }
    }
    // no source: oblique geometries, so the quaternion nibabel derives must agree; the first is
    // a half turn (w = 0, the hardest case for float32 quaternions), the second has qfac -1
    double c = Math.cos(Math.toRadians(20));
    double s = Math.sin(Math.toRadians(20));
    Affine halfTurn = Affine.ofRowMajor(
        -1.2 * c, -0.9 * s, 0, 100, -1.2 * s, 0.9 * c, 0, -50, 0, 0, -2.5, 30, 0, 0, 0, 1);
    Affine flipped = Affine.ofRowMajor(
        1.2 * c, -0.9 * s, 0, 100, 1.2 * s, 0.9 * c, 0, -50, 0, 0, -2.5, 30, 0, 0, 0, 1);
    Dims d = new Dims(6, 5, 4);
    float[] v = new float[d.voxels()];
    for (int k = 0; k < v.length; k++) {
      v[k] = k - 40;
    }
    Affine[] affines = {halfTurn, flipped};
    String[] names = {"geometry_halfturn_int16.nii.gz", "geometry_qfac_float32.nii"};
    NiftiDataType[] gtypes = {NiftiDataType.INT16, NiftiDataType.FLOAT32};
    for (int i = 0; i < 2; i++) {
      Path target = out.resolve(names[i]);
      WRITER.write(target, new Volume(new Geometry(d, new double[] {1.2, 0.9, 2.5}, affines[i]), v),
          gtypes[i]);
      report(target, null, v);
    }
  }

  static void report(Path written, Path source, float[] values) throws Exception {
    NiftiHeader back = READER.readHeader(written);
    ObjectNode o = M.createObjectNode();
    o.put("file", written.toString());
    o.put("source", source == null ? null : source.toString());
    o.put("datatype", back.dataType().numpyName());
    o.put("qform_code", back.qformCode());
    o.put("sform_code", back.sformCode());
    ArrayNode aff = o.putArray("affine");
    for (double[] row : back.affine().toRows()) {
      ArrayNode r = aff.addArray();
      for (double x : row) {
        r.add(x);
      }
    }
    o.putArray("quatern_bcd").add(back.quaternB()).add(back.quaternC()).add(back.quaternD());
    ArrayNode pixdim = o.putArray("pixdim");
    for (double x : back.pixdim()) {
      pixdim.add(x);
    }
    ArrayNode vals = o.putArray("values");
    for (float x : values) {
      vals.add(x);
    }
    System.out.println(o);
  }
}
