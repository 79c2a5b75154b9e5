package org.resvision.backbone.resnet;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.resvision.nn.Norm;

/**
 * Every constructor argument of a ResNet, with torchvision's defaults. Presets: {@link
 * #of(String)} with {@code resnet18, resnet34, resnet50, resnet101, resnet152,
 * resnext50_32x4d, wide_resnet50_2}.
 *
 * <p>The constructor copies {@code layers} and {@code replaceStrideWithDilation}, but the accessors
 * return the record's own arrays: do not modify them.
 *
 * @param arch the preset name (informational)
 * @param block the block type
 * @param layers blocks per stage, e.g. {@code [3, 4, 6, 3]} for ResNet-50
 * @param groups groups of the 3x3 conv in bottlenecks
 * @param widthPerGroup bottleneck width per group (64 = plain ResNet)
 * @param replaceStrideWithDilation for layer2..layer4: dilate instead of stride (FCN uses
 *     {@code [false, true, true]}, output stride 8). Unlike torchvision, BasicBlock networks
 *     (ResNet-18/34) may be dilated too: the weights keep their shapes, so ImageNet checkpoints
 *     still load.
 * @param norm BatchNorm or FrozenBatchNorm, with its epsilon
 * @param numClasses classes of the {@code fc} head; 0 builds no head (feature extractor)
 */
public record ResNetConfig(
        String arch,
        BlockType block,
        int[] layers,
        int groups,
        int widthPerGroup,
        boolean[] replaceStrideWithDilation,
        Norm norm,
        int numClasses) {

    /** The preset names {@link #of(String)} accepts. */
    public static final List<String> ARCHS =
            List.of(
                    "resnet18",
                    "resnet34",
                    "resnet50",
                    "resnet101",
                    "resnet152",
                    "resnext50_32x4d",
                    "wide_resnet50_2");

    /**
     * Checks the arguments and copies the arrays.
     *
     * @param arch the preset name (informational)
     * @param block the block type
     * @param layers blocks per stage: 4 entries
     * @param groups groups of the 3x3 conv in bottlenecks (1 for {@link BlockType#BASIC})
     * @param widthPerGroup bottleneck width per group (64 for {@link BlockType#BASIC})
     * @param replaceStrideWithDilation for layer2..layer4: 3 entries
     * @param norm the normalisation layer kind
     * @param numClasses classes of the {@code fc} head; 0 for none
     * @throws IllegalArgumentException {@code layers} does not have 4 entries, {@code
     *     replaceStrideWithDilation} not 3, or a basic-block network has other groups or width
     */
    public ResNetConfig {
        if (layers.length != 4) {
            throw new IllegalArgumentException("layers must have 4 entries, got " + layers.length);
        }
        if (replaceStrideWithDilation.length != 3) {
            throw new IllegalArgumentException("replaceStrideWithDilation must have 3 entries");
        }
        if (block == BlockType.BASIC && (groups != 1 || widthPerGroup != 64)) {
            throw new IllegalArgumentException("BasicBlock only supports groups=1 and widthPerGroup=64");
        }
        layers = layers.clone();
        replaceStrideWithDilation = replaceStrideWithDilation.clone();
    }

    /**
     * torchvision's preset of that name: BatchNorm (eps 1e-5), stride 32, 1000 classes.
     *
     * @param arch one of {@link #ARCHS}, in any case
     * @return a new config
     * @throws IllegalArgumentException for another name (the message lists the known ones)
     */
    public static ResNetConfig of(String arch) {
        boolean[] noDilation = {false, false, false};
        Norm bn = Norm.batchNorm();
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "resnet18" -> new ResNetConfig("resnet18", BlockType.BASIC, new int[] {2, 2, 2, 2}, 1, 64, noDilation, bn, 1000);
            case "resnet34" -> new ResNetConfig("resnet34", BlockType.BASIC, new int[] {3, 4, 6, 3}, 1, 64, noDilation, bn, 1000);
            case "resnet50" -> new ResNetConfig("resnet50", BlockType.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 64, noDilation, bn, 1000);
            case "resnet101" -> new ResNetConfig("resnet101", BlockType.BOTTLENECK, new int[] {3, 4, 23, 3}, 1, 64, noDilation, bn, 1000);
            case "resnet152" -> new ResNetConfig("resnet152", BlockType.BOTTLENECK, new int[] {3, 8, 36, 3}, 1, 64, noDilation, bn, 1000);
            case "resnext50_32x4d" -> new ResNetConfig("resnext50_32x4d", BlockType.BOTTLENECK, new int[] {3, 4, 6, 3}, 32, 4, noDilation, bn, 1000);
            case "wide_resnet50_2" -> new ResNetConfig("wide_resnet50_2", BlockType.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 128, noDilation, bn, 1000);
            default -> throw new IllegalArgumentException(
                    "unknown ResNet architecture '" + arch + "' (known: " + String.join(", ", ARCHS) + ")");
        };
    }

    /**
     * The same config with another normalisation.
     *
     * @param newNorm the normalisation layer kind and epsilon
     * @return a new config; this one is unchanged
     */
    public ResNetConfig withNorm(Norm newNorm) {
        return new ResNetConfig(arch, block, layers, groups, widthPerGroup, replaceStrideWithDilation, newNorm, numClasses);
    }

    /**
     * The same config with another head.
     *
     * @param classes classes of the {@code fc} head; 0 for no head
     * @return a new config; this one is unchanged
     */
    public ResNetConfig withNumClasses(int classes) {
        return new ResNetConfig(arch, block, layers, groups, widthPerGroup, replaceStrideWithDilation, norm, classes);
    }

    /**
     * Output stride 16 ({@code [false, false, true]}) or 8 ({@code [false, true, true]}).
     *
     * @param layer2 dilate layer2 instead of striding it
     * @param layer3 dilate layer3 instead of striding it
     * @param layer4 dilate layer4 instead of striding it
     * @return a new config; this one is unchanged
     */
    public ResNetConfig withDilation(boolean layer2, boolean layer3, boolean layer4) {
        return new ResNetConfig(arch, block, layers, groups, widthPerGroup,
                new boolean[] {layer2, layer3, layer4}, norm, numClasses);
    }

    /**
     * Channels of layer4's output (512 x expansion).
     *
     * @return 512 for ResNet-18/34, 2048 for the bottleneck networks
     */
    public int outChannels() {
        return 512 * block.expansion();
    }

    /**
     * Channels of layer{@code i}'s output, i in 1..4.
     *
     * @param i the stage, 1 to 4 (not checked)
     * @return {@code 64 * 2^(i - 1) * expansion}: 64..512 for basic blocks, 256..2048 for bottlenecks
     */
    public int stageChannels(int i) {
        return 64 * (1 << (i - 1)) * block.expansion();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetConfig c
                && arch.equals(c.arch)
                && block == c.block
                && Arrays.equals(layers, c.layers)
                && groups == c.groups
                && widthPerGroup == c.widthPerGroup
                && Arrays.equals(replaceStrideWithDilation, c.replaceStrideWithDilation)
                && norm.equals(c.norm)
                && numClasses == c.numClasses;
    }

    @Override
    public int hashCode() {
        return arch.hashCode() * 31 + Arrays.hashCode(layers);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "ResNetConfig[%s, %s %s, groups=%d, widthPerGroup=%d, dilation=%s, norm=%s, classes=%d]",
                arch, block, Arrays.toString(layers), groups, widthPerGroup,
                Arrays.toString(replaceStrideWithDilation), norm, numClasses);
    }
}
