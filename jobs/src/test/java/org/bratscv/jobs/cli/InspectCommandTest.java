package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
  @TempDir Path dir;

  private final ObjectMapper mapper = new ObjectMapper();

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new BratsCv());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** A 4x3x2 int16 image with values 0..23 (sum 276, 23 nonzero) and spacing 1.5 x 1.5 x 2. */
  private Path image(String name) throws IOException {
    Geometry g =
        new Geometry(
            new Dims(4, 3, 2),
            new double[] {1.5, 1.5, 2},
            Affine.ofRowMajor(-1.5, 0, 0, 90, 0, 1.5, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1));
    float[] v = new float[24];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    Path p = dir.resolve(name);
    NiftiWriter.withDefaults().write(p, new Volume(g, v), NiftiDataType.INT16);
    return p;
  }

  @Test
  void jsonLinePerFileWithHeaderFactsAndStatistics() throws IOException {
    Path p = image("a.nii.gz");

    Run r = run("inspect", "--json", p.toString());

    assertEquals(0, r.exit(), r.err());
    JsonNode o = mapper.readTree(r.out().strip());
    assertEquals(p.toString(), o.get("file").asText());
    assertEquals("[4,3,2]", o.get("dims").toString());
    assertEquals("int16", o.get("datatype").asText());
    assertEquals("[1.5,1.5,2.0]", o.get("spacing").toString());
    assertEquals(
        "[[-1.5,0.0,0.0,90.0],[0.0,1.5,0.0,-126.0],[0.0,0.0,2.0,-72.0],[0.0,0.0,0.0,1.0]]",
        o.get("affine").toString());
    assertEquals(0, o.get("min").asDouble());
    assertEquals(23, o.get("max").asDouble());
    assertEquals(276, o.get("sum").asDouble());
    assertEquals(23, o.get("nonzero_voxels").asLong());
    assertEquals(1, o.get("version").asInt());
    assertEquals("little", o.get("byte_order").asText());
    assertEquals(1, o.get("qform_code").asInt());
    assertEquals(2, o.get("sform_code").asInt());
  }

  @Test
  void unreadableFileGetsAnErrorLineAndExitCodeOneWhileOthersStillPrint() throws IOException {
    Path good = image("good.nii");
    Path bad = dir.resolve("bad.nii.gz");
    Files.write(bad, new byte[0]);

    Run r = run("inspect", "--json", bad.toString(), good.toString());

    assertEquals(1, r.exit());
    String[] lines = r.out().strip().split("\n");
    assertEquals(2, lines.length);
    JsonNode error = mapper.readTree(lines[0]);
    assertEquals(bad.toString(), error.get("file").asText());
    assertEquals("bad.nii.gz: empty file (0 bytes)", error.get("error").asText());
    assertEquals(276, mapper.readTree(lines[1]).get("sum").asDouble());
  }

  @Test
  void missingFileIsReportedInWords() {
    Path missing = dir.resolve("missing.nii.gz");

    Run r = run("inspect", missing.toString());

    assertEquals(1, r.exit());
    assertEquals("inspect: " + missing + ": no such file", r.err().strip());
    Run bench = run("bench", "nifti", missing.toString());
    assertEquals(1, bench.exit());
    assertEquals("bench nifti: " + missing + ": no such file", bench.err().strip());
  }

  @Test
  void textBlockNamesShapeTypeAndValues() throws IOException {
    Path p = image("t.nii");

    Run r = run("inspect", p.toString());

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("shape      4 x 3 x 2  int16"), r.out());
    assertTrue(r.out().contains("min 0  max 23  mean 11.5  sum 276"), r.out());
    assertTrue(r.out().contains("spacing    1.5 x 1.5 x 2 mm"), r.out());
  }

  @Test
  void benchNiftiPrintsTheDecodeRateAsJson() throws IOException {
    Path p = image("b.nii.gz");

    Run r = run("bench", "nifti", "--repeat", "2", "--json", p.toString());

    assertEquals(0, r.exit(), r.err());
    JsonNode o = mapper.readTree(r.out().strip());
    assertEquals(1, o.get("files").asInt());
    assertEquals(2, o.get("repeat").asInt());
    assertArrayEquals(
        new double[] {2 * 24 * 2 / 1e6}, new double[] {o.get("voxel_megabytes").asDouble()}, 1e-12);
    assertTrue(o.get("seconds").asDouble() > 0);
    assertEquals(
        o.get("voxel_megabytes").asDouble() / o.get("seconds").asDouble(),
        o.get("mb_per_s").asDouble(),
        1e-9 * o.get("mb_per_s").asDouble());
  }
}
