package org.resvision.backbone.resnet;

/** The residual block a ResNet is built from. */
public enum BlockType {
    /** Two 3x3 convs (ResNet-18/34). */
    BASIC(BasicBlock.EXPANSION),
    /** 1x1, 3x3, 1x1 (ResNet-50 and deeper, ResNeXt, Wide-ResNet). */
    BOTTLENECK(Bottleneck.EXPANSION);

    private final int expansion;

    BlockType(int expansion) {
        this.expansion = expansion;
    }

    /**
     * Output channels per unit of {@code planes}.
     *
     * @return 1 for {@link #BASIC}, 4 for {@link #BOTTLENECK}
     */
    public int expansion() {
        return expansion;
    }
}
