/**
 * Voxel-wise uncertainty of an ensemble's segmentation in the format of the BraTS 2020 uncertainty
 * task (QU-BraTS): one 0..100 map per region, and that task's score of such maps against a ground
 * truth. Pure computation on volumes; no I/O.
 */
package org.bratscv.data.uncertainty;
