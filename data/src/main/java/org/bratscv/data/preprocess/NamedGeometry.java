package org.bratscv.data.preprocess;

import org.bratscv.data.volume.Geometry;

/**
 * One input file of a case as the consistency check sees it: a name for messages (a modality name
 * such as {@code flair}, or a path) and the geometry read from its header.
 */
public record NamedGeometry(String name, Geometry geometry) {}
