/**
 * DJL optimizers with checkpointable per-parameter state ({@link
 * org.bratscv.model.optim.TorchAdam}, {@link org.bratscv.model.optim.Ranger}), the epoch-wise
 * learning-rate schedules of both pipelines and of fast SWA, and per-thread gradient recording for
 * the PyTorch engine ({@link org.bratscv.model.optim.Autograd}).
 */
package org.bratscv.model.optim;
