/** Evaluation: COCO bbox/segm with pycocotools' semantics, VOC AP, segmentation metrics. */
package org.resvision.eval;
