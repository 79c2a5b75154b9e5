/**
 * COCO evaluation for DJL users: {@link org.resvision.eval.djl.DetectedObjectsCoco} turns a
 * {@code Predictor}'s {@code DetectedObjects} into COCO results, {@link
 * org.resvision.eval.djl.CocoMapEvaluator} gives a DJL {@code Trainer} COCO mAP. No model is
 * needed here; the NDList formats are documented on the evaluator.
 */
package org.resvision.eval.djl;
