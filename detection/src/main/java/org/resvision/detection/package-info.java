/** Faster R-CNN detection heads on ResVision backbones (built by the detection issue). */
package org.resvision.detection;
