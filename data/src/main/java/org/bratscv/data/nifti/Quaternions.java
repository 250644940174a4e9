package org.bratscv.data.nifti;

/**
 * The NIfTI qform algebra: quaternion (b, c, d) + qfac + pixdim + offset to a 4x4 affine and back,
 * computed the way nibabel's {@code Nifti1Header.get_qform} / {@code set_qform} do so that both
 * tools agree on every file.
 */
final class Quaternions {
  private Quaternions() {}

  /**
   * nibabel's {@code quat2mat}: rotation matrix (row-major 3x3) of the quaternion (w, x, y, z),
   * normalised; identity for a (near) zero quaternion.
   */
  static double[] toRotation(double w, double x, double y, double z) {
    double nq = w * w + x * x + y * y + z * z;
    if (nq < 2.220446049250313e-16) {
      return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
    }
    double s = 2.0 / nq;
    double xs = x * s;
    double ys = y * s;
    double zs = z * s;
    double wx = w * xs;
    double wy = w * ys;
    double wz = w * zs;
    double xx = x * xs;
    double xy = x * ys;
    double xz = x * zs;
    double yy = y * ys;
    double yz = y * zs;
    double zz = z * zs;
    return new double[] {
      1.0 - (yy + zz),
      xy - wz,
      xz + wy,
      xy + wz,
      1.0 - (xx + zz),
      yz - wx,
      xz - wy,
      yz + wx,
      1.0 - (xx + yy)
    };
  }

  /**
   * The qform affine (row-major 4x4) from the header's quaternion fields; {@code threshold} is
   * nibabel's tolerance for {@code 1 - (b^2 + c^2 + d^2)} going slightly negative through rounding
   * (3 float32 eps for NIfTI-1, 3 float64 eps for NIfTI-2).
   *
   * @throws IllegalArgumentException when (b, c, d) is longer than 1 beyond that tolerance
   */
  static double[] qformAffine(
      double b,
      double c,
      double d,
      double qfac,
      double[] zooms,
      double[] offset,
      double threshold) {
    double w2 = 1.0 - (b * b + c * c + d * d);
    double w;
    if (w2 < 0) {
      if (w2 < -threshold) {
        throw new IllegalArgumentException(
            "b^2 + c^2 + d^2 = " + (float) (1.0 - w2) + " exceeds 1: not a rotation");
      }
      w = 0;
    } else {
      w = Math.sqrt(w2);
    }
    double[] r = toRotation(w, b, c, d);
    double[] scale = {zooms[0], zooms[1], zooms[2] * qfac};
    double[] m = new double[16];
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col < 3; col++) {
        m[row * 4 + col] = r[row * 3 + col] * scale[col];
      }
      m[row * 4 + 3] = offset[row];
    }
    m[15] = 1;
    return m;
  }

  /**
   * nibabel's {@code set_qform}: splits the 3x3 part of {@code affine} (row-major 4x4) into zooms
   * (column norms), qfac (-1 when the rotation part has a negative determinant) and the quaternion
   * of the nearest rotation (polar decomposition, which strips shears).
   *
   * @return {b, c, d, qfac, zoomX, zoomY, zoomZ} with the quaternion's w kept non-negative
   */
  static double[] fromAffine(double[] affine) {
    double[] r = new double[9];
    double[] zooms = new double[3];
    for (int col = 0; col < 3; col++) {
      double n = 0;
      for (int row = 0; row < 3; row++) {
        n += affine[row * 4 + col] * affine[row * 4 + col];
      }
      zooms[col] = Math.sqrt(n);
      if (!(zooms[col] > 0) || !Double.isFinite(zooms[col])) {
        throw new IllegalArgumentException(
            "affine column " + col + " has length " + zooms[col] + ": no voxel size to store");
      }
      for (int row = 0; row < 3; row++) {
        r[row * 3 + col] = affine[row * 4 + col] / zooms[col];
      }
    }
    double qfac = 1;
    if (det(r) <= 0) {
      qfac = -1;
      for (int row = 0; row < 3; row++) {
        r[row * 3 + 2] = -r[row * 3 + 2];
      }
    }
    double[] q = toQuaternion(nearestRotation(r));
    return new double[] {q[1], q[2], q[3], qfac, zooms[0], zooms[1], zooms[2]};
  }

  static double det(double[] m) {
    return m[0] * (m[4] * m[8] - m[5] * m[7])
        - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6]);
  }

  /**
   * The orthogonal polar factor of {@code m} (the closest rotation, as nibabel's SVD gives it), by
   * Higham's iteration X <- (X + X^-T) / 2, which converges quadratically from any non-singular
   * start.
   */
  static double[] nearestRotation(double[] m) {
    double[] x = m.clone();
    for (int it = 0; it < 100; it++) {
      double dt = det(x);
      if (dt == 0 || !Double.isFinite(dt)) {
        throw new IllegalArgumentException("affine rotation part is singular: no qform possible");
      }
      // inverse transpose = cofactor matrix / det
      double[] cof = {
        x[4] * x[8] - x[5] * x[7], x[5] * x[6] - x[3] * x[8], x[3] * x[7] - x[4] * x[6],
        x[2] * x[7] - x[1] * x[8], x[0] * x[8] - x[2] * x[6], x[1] * x[6] - x[0] * x[7],
        x[1] * x[5] - x[2] * x[4], x[2] * x[3] - x[0] * x[5], x[0] * x[4] - x[1] * x[3]
      };
      double change = 0;
      for (int i = 0; i < 9; i++) {
        double next = 0.5 * (x[i] + cof[i] / dt);
        change = Math.max(change, Math.abs(next - x[i]));
        x[i] = next;
      }
      if (change < 1e-15) {
        break;
      }
    }
    return x;
  }

  /** Quaternion (w, x, y, z) of a rotation matrix (Shepperd's method), with w >= 0. */
  static double[] toQuaternion(double[] m) {
    double trace = m[0] + m[4] + m[8];
    double w;
    double x;
    double y;
    double z;
    if (trace > 0) {
      double s = 0.5 / Math.sqrt(trace + 1.0);
      w = 0.25 / s;
      x = (m[7] - m[5]) * s;
      y = (m[2] - m[6]) * s;
      z = (m[3] - m[1]) * s;
    } else if (m[0] > m[4] && m[0] > m[8]) {
      double s = 2.0 * Math.sqrt(1.0 + m[0] - m[4] - m[8]);
      w = (m[7] - m[5]) / s;
      x = 0.25 * s;
      y = (m[1] + m[3]) / s;
      z = (m[2] + m[6]) / s;
    } else if (m[4] > m[8]) {
      double s = 2.0 * Math.sqrt(1.0 + m[4] - m[0] - m[8]);
      w = (m[2] - m[6]) / s;
      x = (m[1] + m[3]) / s;
      y = 0.25 * s;
      z = (m[5] + m[7]) / s;
    } else {
      double s = 2.0 * Math.sqrt(1.0 + m[8] - m[0] - m[4]);
      w = (m[3] - m[1]) / s;
      x = (m[2] + m[6]) / s;
      y = (m[5] + m[7]) / s;
      z = 0.25 * s;
    }
    if (w < 0) {
      return new double[] {-w, -x, -y, -z};
    }
    return new double[] {w, x, y, z};
  }
}
