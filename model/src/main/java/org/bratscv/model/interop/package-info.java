/**
 * Weights in and out of brats-cv: the safetensors file format ({@link
 * org.bratscv.model.interop.SafeTensors}) and the reference implementation's state-dict names for
 * EquiUnet ({@link org.bratscv.model.interop.ReferenceStateDict}), so networks trained by either
 * code run in the other.
 */
package org.bratscv.model.interop;
