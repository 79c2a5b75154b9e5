/** Datasets and annotations: COCO, PASCAL VOC, masks/RLE, image I/O, transforms, synthetic data. */
package org.resvision.data;
