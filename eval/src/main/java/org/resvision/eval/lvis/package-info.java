/**
 * LVIS v1's federated evaluation with lvis-api's exact numbers ({@code LVISResults},
 * {@code LVISEval.evaluate/accumulate/summarize}); see eval/LVIS.md for every quirk reproduced.
 */
package org.resvision.eval.lvis;
