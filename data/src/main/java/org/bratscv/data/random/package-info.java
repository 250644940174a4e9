/**
 * Reproducible randomness: every random choice of a run takes a generator seeded by {@link
 * org.bratscv.data.random.Seeds} from the run seed and what the choice is about.
 */
package org.bratscv.data.random;
