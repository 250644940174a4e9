package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SurfelAreasTest {
  // corner (a, b, c) of the 2x2x2 neighbourhood carries bit 7 - (4a + 2b + c)
  private static int code(int... corners) {
    int c = 0;
    for (int k : corners) {
      c |= 1 << (7 - k);
    }
    return c;
  }

  @Test
  void oneOccupiedCornerIsCutOffByATriangleThroughTheEdgeMidpoints() {
    double[] unit = SurfelAreas.table(new double[] {1, 1, 1});
    // triangle (1/2,0,0), (0,1/2,0), (0,0,1/2): area sqrt(3)/8
    assertEquals(Math.sqrt(3) / 8, unit[code(0)], 1e-15);
    assertEquals(Math.sqrt(3) / 8, unit[code(7)], 1e-15);
    // the complement has the same surface
    assertEquals(Math.sqrt(3) / 8, unit[255 - code(0)], 1e-15);
    // scaled by spacing (1, 2, 3): vertices (1/2,0,0), (0,1,0), (0,0,3/2); |u x v| / 2 = 1.75 / 2
    double[] aniso = SurfelAreas.table(new double[] {1, 2, 3});
    assertEquals(0.875, aniso[code(0)], 1e-15);
  }

  @Test
  void twoNeighboursAreCutByARectangleAndAFaceOfFourByASquare() {
    double[] unit = SurfelAreas.table(new double[] {1, 1, 1});
    // corners (1,1,0) and (1,1,1), neighbours along z: rectangle 1 x sqrt(1/2)
    assertEquals(Math.sqrt(0.5), unit[code(6, 7)], 1e-15);
    // the four corners with a = 1: the plane x = 1/2, a unit square
    assertEquals(1.0, unit[code(4, 5, 6, 7)], 1e-15);
    // at spacing (1, 2, 3) the plane x = const spans 2 x 3 mm
    assertEquals(6.0, SurfelAreas.table(new double[] {1, 2, 3})[code(4, 5, 6, 7)], 1e-12);
    assertEquals(0, unit[0], 0);
    assertEquals(0, unit[255], 0);
  }

  @Test
  void threeCornersOnAFaceTakeTheTriangulationWithTheLargestArea() {
    // corners (1,0,1), (1,1,0), (1,1,1): a pentagon; its largest triangulation is the triangle in
    // the plane x = 1/2 (area 1/2) plus two triangles of areas sqrt(3)/4 and sqrt(3)/8
    double[] unit = SurfelAreas.table(new double[] {1, 1, 1});
    assertEquals(0.5 + Math.sqrt(3) / 4 + Math.sqrt(3) / 8, unit[code(5, 6, 7)], 1e-15);
  }
}
