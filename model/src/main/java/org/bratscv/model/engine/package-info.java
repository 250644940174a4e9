/**
 * Loading and configuring the DJL PyTorch engine: threads, cache folder, offline mode, devices and
 * the CPU instruction-set guard.
 *
 * <p>A oneDNN bug that no ISA cap short of SSE4.1 avoids: the input gradient of a float32 conv3d
 * whose filter count is not a multiple of 8 (AVX2) or 16 (AVX-512) is wrong, at times NaN. {@link
 * org.bratscv.model.engine.OneDnnConv} pads the filters; CBAM's 1-filter spatial gate uses it.
 *
 * <h2>Environment that must be set before libtorch loads</h2>
 *
 * <ul>
 *   <li>{@code ONEDNN_MAX_CPU_ISA=AVX2} on every JVM that runs convolutions on an AVX-512 CPU:
 *       libtorch's oneDNN float32 conv3d intermittently returns all-NaN output there. oneDNN reads
 *       the variable once, from the process environment, and neither DJL nor libtorch offers a Java
 *       switch for it (DJL 0.36's only oneDNN property, {@code ai.djl.pytorch.use_mkldnn}, turns
 *       the mkldnn tensor layout <em>on</em>). So: the {@code brats-cv} launcher re-executes itself
 *       once with the variable set ({@code org.bratscv.jobs.cli.Relauncher}); Spark executors get
 *       it through {@code --conf spark.executorEnv.ONEDNN_MAX_CPU_ISA=AVX2} (and YARN's {@code
 *       spark.yarn.appMasterEnv.ONEDNN_MAX_CPU_ISA=AVX2} for a cluster-mode driver); Maven's
 *       surefire sets it for tests. {@link org.bratscv.model.engine.CpuIsaGuard} warns at engine
 *       start when it is missing.
 *   <li>GPU clusters: no CUDA build of libtorch 2.7.1 is published for DJL on Maven Central, so the
 *       image provides it and DJL is pointed at it:
 *       <pre>
 * export PYTORCH_LIBRARY_PATH=/opt/libtorch/lib   # folder holding libtorch.so, libc10_cuda.so, ...
 * export PYTORCH_VERSION=2.7.1                    # must equal the pytorch-jni build (2.7.1-0.36.0)
 * export PYTORCH_FLAVOR=cu128                     # the CUDA flavour of that libtorch
 * export DJL_CACHE_DIR=/var/cache/djl             # where DJL extracts its JNI glue
 * </pre>
 *       On Spark, set the same through {@code spark.executorEnv.*}. The bundled {@code
 *       pytorch-native-cpu} jar is then ignored.
 * </ul>
 */
package org.bratscv.model.engine;
