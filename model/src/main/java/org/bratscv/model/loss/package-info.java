/**
 * Training losses of the method: the soft Dice loss per region channel (squares or sums in the
 * denominator, on probabilities) and its deep-supervision sum over the main and auxiliary outputs.
 */
package org.bratscv.model.loss;
