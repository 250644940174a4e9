package org.bratscv.data.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;

/**
 * Reads the (pred, gt) pairs that {@code bench/make_hd95_cases.py} writes: raw uint8 labelmaps in
 * NIfTI order plus {@code cases.json} with dims, spacing and the metrics scipy computed for them.
 */
record ScipyCases(Geometry geometry, MetricConventions conventions, List<Case> cases) {

  record Case(String id, LabelVolume pred, LabelVolume gt, JsonNode scipy) {}

  static ScipyCases read(Path dir) throws IOException {
    JsonNode root = new ObjectMapper().readTree(dir.resolve("cases.json").toFile());
    Dims dims =
        new Dims(
            root.get("dims").get(0).asInt(),
            root.get("dims").get(1).asInt(),
            root.get("dims").get(2).asInt());
    double[] sp = new double[3];
    for (int i = 0; i < 3; i++) {
      sp[i] = root.get("spacing").get(i).asDouble();
    }
    Geometry g = new Geometry(dims, sp, Affine.scaling(sp[0], sp[1], sp[2]));
    List<Case> cases = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      cases.add(
          new Case(
              c.get("id").asText(),
              new LabelVolume(g, readRaw(dir.resolve(c.get("pred").asText()), dims)),
              new LabelVolume(g, readRaw(dir.resolve(c.get("gt").asText()), dims)),
              c.get("scipy")));
    }
    return new ScipyCases(g, conventionsWithEmptyHd95(root.get("emptyHd95").asDouble()), cases);
  }

  /** The convention whose one-sided-empty HD95 the cases were generated with. */
  private static MetricConventions conventionsWithEmptyHd95(double emptyHd95) {
    if (emptyHd95 == MetricConventions.BRATS2020.emptyHd95()) {
      return MetricConventions.BRATS2020;
    }
    throw new IllegalArgumentException("no brats2020-style convention has empty HD95 " + emptyHd95);
  }

  private static byte[] readRaw(Path file, Dims dims) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] b = in.readAllBytes();
      if (b.length != dims.voxelCount()) {
        throw new IOException(
            file + " holds " + b.length + " voxels, expected " + dims.voxelCount());
      }
      return b;
    }
  }
}
