package org.resvision.backbone.hub;

import java.util.List;
import java.util.Map;

/**
 * One checkpoint torchvision publishes ({@code ResNet50_Weights.IMAGENET1K_V2}, {@code
 * FasterRCNN_ResNet50_FPN_V2_Weights.COCO_V1}, ...): where it is, how to check it, and what it
 * expects and gives. The values are torchvision 0.14's own (see {@link WeightsCatalog}).
 *
 * <p>The catalog's lists are unmodifiable; its {@code metrics} maps are not copied and stay
 * modifiable, but are shared by every user of the catalog: do not modify them.
 *
 * @param model torchvision's builder name ({@code fasterrcnn_resnet50_fpn_v2})
 * @param weights the enum member ({@code COCO_V1})
 * @param enumName the enum's class ({@code FasterRCNN_ResNet50_FPN_V2_Weights})
 * @param isDefault whether it is the model's {@code DEFAULT}
 * @param task {@code classification}, {@code detection} or {@code segmentation}
 * @param url the download URL
 * @param fileName the file name in the cache (torch hub's: the URL's last segment)
 * @param hashPrefix the hex digits after the last {@code -} of the file name: the start of the
 *     file's SHA-256, which torch hub checks
 * @param numParams the parameter count
 * @param minSize the smallest input torchvision documents (h, w)
 * @param metrics published metrics by dataset ({@code COCO-val2017 -> box_map -> 46.7})
 * @param recipe where the training recipe is documented
 * @param transform the preprocessing the weights expect
 * @param categorySet the name of its category list ({@code imagenet1k}, {@code coco91},
 *     {@code voc21})
 * @param categories the category names, index = class index (COCO's has {@code N/A} slots and
 *     {@code __background__} at 0)
 */
public record PublishedWeights(
        String model,
        String weights,
        String enumName,
        boolean isDefault,
        String task,
        String url,
        String fileName,
        String hashPrefix,
        long numParams,
        List<Integer> minSize,
        Map<String, Map<String, Double>> metrics,
        String recipe,
        Transform transform,
        String categorySet,
        List<String> categories) {

    /**
     * The preprocessing of torchvision's preset transform for these weights.
     *
     * @param kind {@code classification} (resize the shorter side to {@code resizeSize}, centre
     *     crop {@code cropSize}), {@code segmentation} (resize the shorter side to {@code
     *     resizeSize}) or {@code detection} (only scale to [0, 1]: the model normalises and resizes)
     * @param resizeSize empty for detection
     * @param cropSize empty unless classification
     * @param mean per channel, RGB; empty for detection
     * @param std per channel, RGB; empty for detection
     * @param interpolation {@code bilinear} (empty for detection)
     */
    public record Transform(String kind, List<Integer> resizeSize, List<Integer> cropSize, List<Double> mean, List<Double> std,
            String interpolation) {}

    /**
     * {@code model:weights}, the name users type.
     *
     * @return e.g. {@code resnet50:IMAGENET1K_V2}, in the catalog's case
     */
    public String id() {
        return model + ":" + weights;
    }

    /**
     * The number of classes the checkpoint's head predicts.
     *
     * @return the size of {@code categories}, background and {@code N/A} slots included (1000 for
     *     ImageNet, 91 for COCO, 21 for VOC)
     */
    public int numClasses() {
        return categories.size();
    }
}
