package org.bratscv.data.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written by nibabel ({@code bench/make_nifti_fixtures.py}) must read as nibabel reports them
 * in {@code expected.json}: shape, dtype, scaling, affine, zooms, every voxel and the sum.
 */
class NiftiFixturesTest {
  private final NiftiReader reader = NiftiReader.withDefaults();

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(NiftiFixturesTest.class.getResource("/nifti/" + name).toURI());
  }

  @Test
  void everyFixtureReadsAsNibabelReportsIt() throws Exception {
    JsonNode expected;
    try (InputStream in = NiftiFixturesTest.class.getResourceAsStream("/nifti/expected.json")) {
      expected = new ObjectMapper().readTree(in);
    }
    assertEquals(5, expected.size());
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      check(e.getKey(), e.getValue());
    }
  }

  private void check(String name, JsonNode want) throws IOException, URISyntaxException {
    Path p = resource(name);
    NiftiImage img = reader.read(p);
    NiftiHeader h = img.header();

    assertEquals(want.get("version").asInt(), h.version(), name);
    assertEquals(
        want.get("byte_order").asText(),
        h.byteOrder().toString().startsWith("BIG") ? "big" : "little",
        name);
    assertArrayEquals(longs(want.get("shape")), h.shape(), name);
    assertEquals(want.get("dtype").asText(), h.dataType().numpyName(), name);
    assertEquals(want.get("qform_code").asInt(), h.qformCode(), name);
    assertEquals(want.get("sform_code").asInt(), h.sformCode(), name);
    double slope = h.hasScaling() ? h.sclSlope() : 1;
    double inter = h.hasScaling() ? h.sclInter() : 0;
    assertEquals(want.get("scl_slope").asDouble(), slope, name);
    assertEquals(want.get("scl_inter").asDouble(), inter, name);
    assertArrayEquals(doubles(want.get("zooms")), h.spacing(), 1e-12, name);
    for (int r = 0; r < 4; r++) {
      // the qform is rebuilt from float32 quaternion fields: nibabel rounds some steps to float32
      assertArrayEquals(
          doubles(want.get("affine").get(r)), h.affine().row(r), 1e-6, name + " row " + r);
    }
    double[] values = doubles(want.get("values"));
    double[] exact = reader.readDoubles(p);
    assertArrayEquals(values, exact, 0.0, name + ": readDoubles equals get_fdata()");
    float[] asFloats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      asFloats[i] = (float) values[i];
    }
    assertArrayEquals(asFloats, img.data(), name);
    assertEquals(
        want.get("sum").asDouble(),
        VoxelStatistics.of(exact).sum(),
        1e-9 * Math.abs(want.get("sum").asDouble()),
        name);
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }

  private static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }
}
