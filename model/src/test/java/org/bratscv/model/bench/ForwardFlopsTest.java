package org.bratscv.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import org.junit.jupiter.api.Test;

class ForwardFlopsTest {
  /**
   * Width 1 on an 8^3 cube, by hand: the 3x3x3 convolutions hold 5920 Cin*Cout*voxels products
   * (4*1*512 + 1*1*512 + ... + 1*1*512), times 27 taps times 2; the 1x1x1 output adds 2*1*3*512.
   */
  @Test
  void countsTwoFlopsPerMultiplyAddOfEveryConvolution() {
    EquiUnet.Config c = new EquiUnet.Config(1, Norm.GROUP, false, false, 0f, 4, 3);
    assertEquals(5920 * 27 * 2 + 3072, ModelBenchmark.forwardFlops(c, 8), 1e-6);
  }

  @Test
  void scalesWithTheCubeOfTheSizeAndTheSquareOfTheWidth() {
    EquiUnet.Config w8 = new EquiUnet.Config(8, Norm.GROUP, false, false, 0f, 8, 8);
    EquiUnet.Config w16 = new EquiUnet.Config(16, Norm.GROUP, false, false, 0f, 16, 16);
    double f = ModelBenchmark.forwardFlops(w8, 32);
    assertEquals(8 * f, ModelBenchmark.forwardFlops(w8, 64), 1e-3 * f);
    assertEquals(4 * f, ModelBenchmark.forwardFlops(w16, 32), 1e-3 * f);
  }
}
