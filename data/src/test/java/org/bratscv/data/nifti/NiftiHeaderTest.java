package org.bratscv.data.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.junit.jupiter.api.Test;

/** Affine selection (sform, qform, pixdim), quaternion algebra, and headers made for writing. */
class NiftiHeaderTest {
  private static final double EPS = 1e-6;

  private static NiftiHeader parse(NiftiBytes nb) throws NiftiFormatException {
    byte[] bytes = nb.file(new byte[16]);
    return NiftiHeader.parse(bytes, nb.headerSize(), "h.nii", false);
  }

  private static void assertAffine(double[][] expected, Affine actual) {
    for (int r = 0; r < 4; r++) {
      assertArrayEquals(expected[r], actual.row(r), EPS, "row " + r + " of " + actual);
    }
  }

  @Test
  void sformWinsWhenItsCodeIsPositive() throws NiftiFormatException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.sformCode = 1;
    nb.qformCode = 1;
    nb.quatern = new double[] {0, 0, 1}; // 180 degrees about z: ignored
    nb.srow = new double[][] {{0, 0, 3, -10}, {-2, 0, 0, 20}, {0, 1.5, 0, 30}};

    assertAffine(
        new double[][] {{0, 0, 3, -10}, {-2, 0, 0, 20}, {0, 1.5, 0, 30}, {0, 0, 0, 1}},
        parse(nb).affine());
  }

  @Test
  void qformOfNinetyDegreesAboutZWithNegativeQfac() throws NiftiFormatException {
    // quaternion (w, b, c, d) = (cos 45, 0, 0, sin 45): R = [[0,-1,0],[1,0,0],[0,0,1]];
    // pixdim 2, 3, 4 and qfac -1 scale the columns by 2, 3, -4
    NiftiBytes nb = NiftiBytes.v1();
    nb.qformCode = 1;
    nb.sformCode = 0;
    nb.quatern = new double[] {0, 0, Math.sqrt(0.5)};
    nb.pixdim = new double[] {-1, 2, 3, 4, 1, 1, 1, 1};
    nb.qoffset = new double[] {10, 20, 30};

    NiftiHeader h = parse(nb);

    assertAffine(
        new double[][] {{0, -3, 0, 10}, {2, 0, 0, 20}, {0, 0, -4, 30}, {0, 0, 0, 1}}, h.affine());
    assertArrayEquals(new double[] {2, 3, 4}, h.spacing());
  }

  @Test
  void qfacZeroIsReadAsOne() throws NiftiFormatException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.qformCode = 2;
    nb.pixdim = new double[] {0, 2, 3, 4, 1, 1, 1, 1};
    nb.qoffset = new double[] {1, 2, 3};

    assertAffine(
        new double[][] {{2, 0, 0, 1}, {0, 3, 0, 2}, {0, 0, 4, 3}, {0, 0, 0, 1}},
        parse(nb).affine());
  }

  @Test
  void qformOfHalfTurnAboutXFromNifti2() throws NiftiFormatException {
    // b = 1 (w = 0): 180 degrees about x flips y and z
    NiftiBytes nb = NiftiBytes.v2().order(ByteOrder.BIG_ENDIAN);
    nb.qformCode = 1;
    nb.quatern = new double[] {1, 0, 0};
    nb.pixdim = new double[] {1, 0.5, 0.5, 2, 1, 1, 1, 1};

    assertAffine(
        new double[][] {{0.5, 0, 0, 0}, {0, -0.5, 0, 0}, {0, 0, -2, 0}, {0, 0, 0, 1}},
        parse(nb).affine());
  }

  @Test
  void nibabelBaseAffineWhenNeitherCodeIsSet() throws NiftiFormatException {
    NiftiBytes nb = NiftiBytes.v1();
    nb.pixdim = new double[] {1, 0.9, -0.8, 3, 1, 1, 1, 1}; // negative spacing is read as size
    nb.srow = new double[][] {{9, 9, 9, 9}, {9, 9, 9, 9}, {9, 9, 9, 9}}; // code 0: ignored

    NiftiHeader h = parse(nb);

    assertArrayEquals(new double[] {0.9, 0.8, 3}, h.spacing(), EPS);
    // nibabel's get_base_affine for a 2x2x2 volume: x flipped, centre of the volume at 0
    assertAffine(
        new double[][] {{-0.9, 0, 0, 0.45}, {0, 0.8, 0, -0.4}, {0, 0, 3, -1.5}, {0, 0, 0, 1}},
        h.affine());
  }

  @Test
  void parsesEveryNifti1FieldAtItsOffset() throws NiftiFormatException {
    NiftiBytes nb = NiftiBytes.v1().order(ByteOrder.BIG_ENDIAN).type(NiftiDataType.FLOAT32);
    nb.dims(7, 6, 5);
    nb.slope = 2;
    nb.inter = -1;
    nb.voxOffset = 400.0;
    byte[] bytes = nb.file(new byte[0]);
    ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).putShort(68, (short) 1002);
    System.arraycopy("brain".getBytes(), 0, bytes, 148, 5);

    NiftiHeader h = NiftiHeader.parse(bytes, 348, "h.nii", false);

    assertEquals(1, h.version());
    assertEquals(ByteOrder.BIG_ENDIAN, h.byteOrder());
    assertArrayEquals(new long[] {3, 7, 6, 5, 1, 1, 1, 1}, h.dim());
    assertEquals(new Dims(7, 6, 5), h.spatialDims());
    assertEquals(NiftiDataType.FLOAT32, h.dataType());
    assertEquals(32, h.bitpix());
    assertEquals(400, h.voxOffset());
    assertEquals(2, h.sclSlope());
    assertEquals(-1, h.sclInter());
    assertEquals(2, h.xyztUnits());
    assertEquals(1002, h.intentCode());
    assertEquals("brain", h.descrip());
    assertEquals(7 * 6 * 5 * 4, h.voxelBytes());
  }

  @Test
  void forGeometryStoresTheQuaternionNibabelWould() {
    // affine diag(-1, 1, 1): determinant < 0 gives qfac -1, and R * diag(1, 1, -1) = diag(-1,1,-1)
    // is a half turn about y, quaternion (0, 0, 1, 0)
    Geometry g =
        new Geometry(
            new Dims(4, 3, 2),
            new double[] {1, 1, 1},
            Affine.ofRowMajor(-1, 0, 0, 5, 0, 1, 0, 6, 0, 0, 1, 7, 0, 0, 0, 1));

    NiftiHeader h = NiftiHeader.forGeometry(g, NiftiDataType.INT16);

    assertEquals(0, h.quaternB(), EPS);
    assertEquals(1, h.quaternC(), EPS);
    assertEquals(0, h.quaternD(), EPS);
    assertArrayEquals(new double[] {-1, 1, 1, 1, 1, 1, 1, 1}, h.pixdim(), EPS);
    assertArrayEquals(
        new double[] {5, 6, 7}, new double[] {h.qoffsetX(), h.qoffsetY(), h.qoffsetZ()});
    assertEquals(NiftiHeader.XFORM_SCANNER_ANAT, h.qformCode());
    assertEquals(NiftiHeader.XFORM_ALIGNED_ANAT, h.sformCode());
    assertEquals(NiftiHeader.UNITS_MM, h.xyztUnits());
    assertEquals(g.affine(), h.affine());
  }

  @Test
  void forGeometryQuaternionReproducesAnObliqueAffine() throws NiftiFormatException {
    // 90 degrees about z with spacing 2, 3, 4 and a flipped z (the qform test above, inverted)
    Affine a = Affine.ofRowMajor(0, -3, 0, 10, 2, 0, 0, 20, 0, 0, -4, 30, 0, 0, 0, 1);
    NiftiHeader h =
        NiftiHeader.forGeometry(
            new Geometry(new Dims(2, 2, 2), new double[] {2, 3, 4}, a), NiftiDataType.FLOAT32);

    assertEquals(0, h.quaternB(), EPS);
    assertEquals(0, h.quaternC(), EPS);
    assertEquals(Math.sqrt(0.5), h.quaternD(), EPS);
    assertArrayEquals(new double[] {-1, 2, 3, 4}, Arrays.copyOf(h.pixdim(), 4), EPS);
    // drop the sform: the qform alone must give the same affine back
    byte[] bytes = h.toNifti1Bytes();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(254, (short) 0);
    NiftiHeader qformOnly = NiftiHeader.parse(bytes, 348, "q.nii", false);
    assertEquals(0, qformOnly.sformCode());
    assertTrue(qformOnly.affine().approximatelyEquals(a, 1e-6), qformOnly.affine().toString());
  }

  @Test
  void forGeometryRejectsADegenerateAffine() {
    Geometry g = new Geometry(new Dims(2, 2, 2), new double[] {1, 1, 1}, Affine.scaling(1, 0, 1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> NiftiHeader.forGeometry(g, NiftiDataType.UINT8));
    assertEquals("affine column 1 has length 0.0: no voxel size to store", e.getMessage());
  }

  @Test
  void likeKeepsGeometryFieldsAndChangesOnlyTypeAndScaling() throws NiftiFormatException {
    NiftiBytes nb = NiftiBytes.v2().type(NiftiDataType.FLOAT64).dims(2, 2, 2, 1);
    nb.qformCode = 1;
    nb.sformCode = 4;
    nb.quatern = new double[] {0, 0, Math.sqrt(0.5)};
    nb.qoffset = new double[] {1, 2, 3};
    nb.pixdim = new double[] {-1, 1.5, 2.5, 3.5, 2, 1, 1, 1};
    nb.srow = new double[][] {{0, -2.5, 0, 1}, {1.5, 0, 0, 2}, {0, 0, -3.5, 3}};
    nb.slope = 3;
    NiftiHeader source = NiftiHeader.parse(nb.file(new byte[0]), 540, "s.nii", false);

    NiftiHeader like = NiftiHeader.like(source, NiftiDataType.UINT8);

    assertEquals(1, like.version());
    assertEquals(NiftiDataType.UINT8, like.dataType());
    assertEquals(8, like.bitpix());
    assertArrayEquals(new long[] {3, 2, 2, 2, 1, 1, 1, 1}, like.dim());
    assertArrayEquals(source.pixdim(), like.pixdim());
    assertEquals(1, like.qformCode());
    assertEquals(4, like.sformCode());
    assertEquals((float) Math.sqrt(0.5), like.quaternD());
    assertArrayEquals(source.srowX(), like.srowX());
    assertEquals(source.affine(), like.affine());
    assertEquals(2, like.xyztUnits());
    assertEquals(1, like.sclSlope());
    assertEquals(0, like.sclInter());
    assertEquals(352, like.voxOffset());
  }

  @Test
  void writesNifti1FieldsAtTheirOffsets() {
    NiftiHeader h =
        NiftiHeader.forGeometry(Geometry.isotropic(new Dims(5, 6, 7)), NiftiDataType.INT16);

    ByteBuffer b = ByteBuffer.wrap(h.toNifti1Bytes()).order(ByteOrder.LITTLE_ENDIAN);

    assertEquals(352, b.capacity());
    assertEquals(348, b.getInt(0));
    assertEquals(3, b.getShort(40));
    assertEquals(5, b.getShort(42));
    assertEquals(6, b.getShort(44));
    assertEquals(7, b.getShort(46));
    assertEquals(4, b.getShort(70));
    assertEquals(16, b.getShort(72));
    assertEquals(352f, b.getFloat(108));
    assertEquals(1f, b.getFloat(112));
    assertEquals(0f, b.getFloat(116));
    assertEquals(2, b.get(123));
    assertEquals(1, b.getShort(252));
    assertEquals(2, b.getShort(254));
    assertEquals(1f, b.getFloat(280));
    assertEquals(1f, b.getFloat(300));
    assertEquals(1f, b.getFloat(320));
    assertEquals('n', b.get(344));
    assertEquals('+', b.get(345));
    assertEquals('1', b.get(346));
    assertEquals(0, b.get(347));
    assertEquals(0, b.getInt(348)); // no extensions
  }
}
