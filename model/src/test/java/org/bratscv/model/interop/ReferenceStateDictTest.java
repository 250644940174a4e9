package org.bratscv.model.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.model.infer.Ensemble;
import org.bratscv.model.infer.TestTimeAugmentation;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.bratscv.model.train.checkpoint.TensorBundle.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fixture in {@code reference-equality/} was made by {@code bench/reference_equality.py} with
 * the reference code and torch 1.13: the state-dict names and shapes of all eight variants at width
 * 2, and one Att_EquiUnet (group norm, deep supervision, width 2) with random weights, an input and
 * the reference's sigmoid output.
 */
class ReferenceStateDictTest {
  private static final String FIXTURE = "/reference-equality/";

  private static InputStream resource(String name) {
    InputStream in = ReferenceStateDictTest.class.getResourceAsStream(FIXTURE + name);
    if (in == null) {
      throw new IllegalStateException("test resource " + FIXTURE + name + " is missing");
    }
    return in;
  }

  private static Path resourcePath(String name) throws Exception {
    return Path.of(ReferenceStateDictTest.class.getResource(FIXTURE + name).toURI());
  }

  private static Map<String, List<Long>> shapes(EquiUnet net) {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    ReferenceStateDict.shapes(net)
        .forEach(
            (k, v) -> {
              List<Long> dims = new ArrayList<>();
              for (long d : v) {
                dims.add(d);
              }
              out.put(k, dims);
            });
    return out;
  }

  @Test
  void namesShapesAndOrderAreThoseOfTheReferenceStateDictForEveryVariant() throws IOException {
    JsonNode all;
    try (InputStream in = resource("state_dicts.json")) {
      all = new ObjectMapper().readTree(in);
    }
    assertEquals(8, all.size());
    try (NDManager m = NDManager.newBaseManager()) {
      for (String arch : List.of("EquiUnet", "Att_EquiUnet")) {
        for (Norm norm : Norm.values()) {
          for (boolean ds : new boolean[] {false, true}) {
            String key = arch + " " + norm.name().toLowerCase() + " ds=" + ds;
            Map<String, List<Long>> expected = new LinkedHashMap<>();
            all.get(key)
                .fields()
                .forEachRemaining(
                    e -> {
                      List<Long> dims = new ArrayList<>();
                      e.getValue().forEach(d -> dims.add(d.asLong()));
                      expected.put(e.getKey(), dims);
                    });
            EquiUnet net =
                EquiUnet.builder()
                    .fromConfig(ReferenceStateDict.config(arch, 2, norm, ds))
                    .build()
                    .initialize(m, 1L);
            assertEquals(
                new ArrayList<>(expected.entrySet()), new ArrayList<>(shapes(net).entrySet()), key);
          }
        }
      }
    }
  }

  @Test
  void theFixtureWeightsComputeTheReferenceOutputOnTheFixtureInput() throws Exception {
    SafeTensors.Contents file;
    try (InputStream in = resource("weights.safetensors")) {
      file = SafeTensors.read(in, "weights.safetensors");
    }
    EquiUnet.Config config = ReferenceStateDict.config(file.metadata(), "weights.safetensors");
    assertEquals(ReferenceStateDict.config("Att_EquiUnet", 2, Norm.GROUP, true), config);
    MultiChannelVolume input = NiftiReader.withDefaults().readVolumes(resourcePath("input.nii.gz"));
    MultiChannelVolume expected =
        NiftiReader.withDefaults().readVolumes(resourcePath("expected.nii.gz"));
    assertEquals(4, input.channelCount());
    assertEquals(3, expected.channelCount());
    try (NDManager m = NDManager.newBaseManager()) {
      EquiUnet net = ReferenceStateDict.read(config, file, m, "weights.safetensors");
      MultiChannelVolume got =
          Ensemble.builder()
              .addMember("net", net, "in")
              .optAugmentations(TestTimeAugmentation.none())
              .build()
              .predict(Map.of("in", input));
      double worst = 0;
      for (int c = 0; c < 3; c++) {
        float[] g = got.channel(c);
        float[] e = expected.channel(c);
        for (int i = 0; i < e.length; i++) {
          worst = Math.max(worst, Math.abs(g[i] - e[i]));
        }
      }
      assertTrue(worst < 1e-4, "largest difference from the reference " + worst);
    }
  }

  @Test
  void exportedWeightsLoadIntoAFreshNetworkValueForValue() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      EquiUnet.Config config = ReferenceStateDict.config("Att_EquiUnet", 2, Norm.INSTANCE, false);
      EquiUnet a = EquiUnet.builder().fromConfig(config).build().initialize(m, 3L);
      // the zero-width gates' shifts start at 0: give them values that must travel
      a.getParameters().stream()
          .filter(p -> p.getKey().endsWith("channelShift"))
          .forEach(
              p -> {
                float[] v = new float[Math.toIntExact(p.getValue().getArray().size())];
                for (int i = 0; i < v.length; i++) {
                  v[i] = 0.5f - 1.75f * i;
                }
                p.getValue().getArray().set(v);
              });
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ReferenceStateDict.write(a, out);
      SafeTensors.Contents file =
          SafeTensors.read(new ByteArrayInputStream(out.toByteArray()), "a.safetensors");
      assertEquals(ReferenceStateDict.metadata(config), file.metadata());
      assertArrayEquals(
          new float[] {0.5f, -1.25f},
          file.tensors().get("encoder1.CBAM.ChannelGate.mlp.3.bias").data());
      assertArrayEquals(
          new long[] {0, 2}, file.tensors().get("encoder1.CBAM.ChannelGate.mlp.1.weight").shape());

      EquiUnet b = ReferenceStateDict.read(config, file, m, "a.safetensors");
      for (var p : a.getParameters()) {
        assertArrayEquals(
            p.getValue().getArray().toFloatArray(),
            b.getParameters().get(p.getKey()).getArray().toFloatArray(),
            p.getKey());
      }
    }
  }

  @Test
  void weightsOfAnotherVariantAreRefusedListingWhatDiffers() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      EquiUnet plain =
          EquiUnet.builder()
              .fromConfig(ReferenceStateDict.config("EquiUnet", 2, Norm.GROUP, false))
              .build()
              .initialize(m, 1L);
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      ReferenceStateDict.export(plain).forEach(t -> tensors.put(t.name(), t));
      EquiUnet attention =
          EquiUnet.builder()
              .fromConfig(ReferenceStateDict.config("Att_EquiUnet", 2, Norm.GROUP, false))
              .build()
              .initialize(m, 1L);
      IOException e =
          assertThrows(
              IOException.class,
              () -> ReferenceStateDict.load(attention, tensors, "p.safetensors"));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "p.safetensors: not the state dict of the reference's Att_EquiUnet (width 2,"),
          e.getMessage());
      assertTrue(e.getMessage().contains("missing: encoder1.UBlock.ConvBnRelu1.conv.weight"));
      assertTrue(e.getMessage().contains("unexpected: encoder1.ConvBnRelu1.conv.weight"));

      EquiUnet wider =
          EquiUnet.builder()
              .fromConfig(ReferenceStateDict.config("EquiUnet", 4, Norm.GROUP, false))
              .build()
              .initialize(m, 1L);
      IOException w =
          assertThrows(
              IOException.class, () -> ReferenceStateDict.load(wider, tensors, "p.safetensors"));
      assertTrue(
          w.getMessage()
              .contains(
                  "wrong shape: encoder1.ConvBnRelu1.conv.weight is [2, 4, 3, 3, 3], expected"),
          w.getMessage());
    }
  }
}
