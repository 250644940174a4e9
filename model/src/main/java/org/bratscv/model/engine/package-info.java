/**
 * Loading and configuring the DJL PyTorch engine: threads, cache folder, offline mode, devices and
 * the CPU instruction-set guard.
 *
 * <p>A oneDNN bug that no ISA cap short of SSE4.1 avoids: a float32 conv3d whose channel counts are
 * off the kernels' block, 8 (AVX2) or 16 (AVX-512), is wrong, at times NaN: the input gradient for
 * such filter counts, the output for such input channels above the block. {@link
 * org.bratscv.model.engine.OneDnnConv} pads both where libtorch sends the call to oneDNN; every
 * ConvNormRelu and CBAM's 1-filter spatial gate use it.
 *
 * <h2>Environment that must be set before libtorch loads</h2>
 *
 * <ul>
 *   <li>{@link org.bratscv.model.engine.EngineEnvironment} holds them: tcmalloc preloaded (else
 *       glibc's malloc tunables) for every JVM that runs libtorch, and {@code
 *       ONEDNN_MAX_CPU_ISA=AVX2} where libtorch's oneDNN AVX-512 conv3d kernels are wrong ({@link
 *       org.bratscv.model.engine.CpuIsaGuard} decides from {@link
 *       org.bratscv.model.engine.OneDnnSelfTest}, run once per machine). oneDNN and the C library
 *       read them once, from the process environment, so: the {@code brats-cv} launcher re-executes
 *       itself once with them ({@code org.bratscv.jobs.cli.Relauncher}); Spark executors get them
 *       through {@code spark.executorEnv.*} (SparkSessions, the deploy wrappers,
 *       conf/spark-defaults.conf, the image and pod templates); Maven's surefire sets them for
 *       tests. An uncapped JVM on an AVX-512 CPU runs the self-test when its engine starts and
 *       stops if the kernels are wrong.
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
