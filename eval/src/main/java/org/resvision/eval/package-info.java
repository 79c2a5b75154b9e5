/**
 * Evaluation: COCO bbox/segm with pycocotools' semantics, VOC AP, segmentation metrics.
 *
 * <p>The packages: {@code coco} (pycocotools' {@code COCOeval}, bit for bit, batch, incremental or
 * sharded), {@code lvis} (lvis-api's federated LVIS v1 evaluation), {@code voc} (the PASCAL VOC
 * devkit's AP), {@code segmentation} (torchvision's confusion-matrix metrics), {@code djl} (DJL's
 * {@code DetectedObjects} as COCO results, COCO mAP as a DJL {@code Evaluator}), {@code tide} and
 * {@code diagnostics} (error analysis from a COCO matching) and {@code report} (the HTML report).
 * This package holds what they share: {@link org.resvision.eval.DatasetEvaluator}, the
 * reset / process / evaluate interface that the COCO, VOC and segmentation evaluators implement
 * and the models' inference loops drive, and {@link org.resvision.eval.EvaluationException}.
 */
package org.resvision.eval;
