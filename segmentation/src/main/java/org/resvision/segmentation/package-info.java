/** FCN semantic segmentation heads on dilated ResVision backbones (built by the segmentation issue). */
package org.resvision.segmentation;
