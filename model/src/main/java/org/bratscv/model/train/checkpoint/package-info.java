/**
 * Checkpoints: a pluggable {@link org.bratscv.model.train.checkpoint.CheckpointStore} of named byte
 * streams with atomic puts, folders of payloads made complete by a checksummed manifest ({@link
 * org.bratscv.model.train.checkpoint.Checkpoints}), and the float tensor format of weights,
 * optimizer buffers and SWA averages.
 */
package org.bratscv.model.train.checkpoint;
