package org.bratscv.data.synth;

import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * One synthetic BraTS-like case: the four modalities (T1, T1Gd, T2, FLAIR; whole-numbered
 * intensities that fit int16) and its BraTS 2020 labelmap (0, 1, 2, 4).
 */
public record Phantom(String caseId, MultiChannelVolume modalities, LabelVolume seg) {}
