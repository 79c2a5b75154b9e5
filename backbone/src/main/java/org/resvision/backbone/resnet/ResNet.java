package org.resvision.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resvision.nn.Autograd;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.ConvNorm;
import org.resvision.nn.CpuQuirks;
import org.resvision.nn.InplaceRelu;
import org.resvision.nn.LinearLayer;
import org.resvision.nn.MemoryFormat;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's ResNet as a DJL block, parameter for parameter: {@code conv1, bn1, layer1..4,
 * fc}, so a torchvision {@code state_dict} loads without renaming.
 *
 * <p>Input: images [N, 3, H, W], normalised with ImageNet mean/std. Stages (see {@link
 * #features}): {@code stem} (after the 3x3/2 max-pool, stride 4, 64 channels), {@code
 * layer1..layer4} (strides 4, 8, 16, 32 unless dilated; channels 64..512 x expansion) and
 * {@code logits} [N, numClasses] when the config has a head. {@link #forward} returns the logits
 * when there is a head, else the four layer outputs (as torchvision's IntermediateLayerGetter).
 *
 * <p>Thread-safety: as for every {@link TorchModule}, one initialized network may serve several
 * DJL Predictors, one Predictor per thread, since inference only reads the parameters; training
 * is single-threaded. {@link #setChannelsLastMinPositions} and {@link #setTrainableLayers} write
 * unsynchronized state: call them before the network is shared.
 */
public final class ResNet extends TorchModule {

    /** The stage names, in order. */
    public static final List<String> STAGES =
            List.of("stem", "layer1", "layer2", "layer3", "layer4", "logits");

    private final ResNetConfig config;
    private final Conv2dLayer conv1;
    private final Block bn1;
    private final TorchSequential[] stages = new TorchSequential[4];
    private final LinearLayer fc;
    private final int[] strides = new int[4];
    private long channelsLastMinPositions = Long.getLong("resvision.channelsLastMinPositions", DEFAULT_CHANNELS_LAST_MIN_POSITIONS);
    private int nchwFromStageWhileRecording = 5; // no stage

    /**
     * The default of {@link #setChannelsLastMinPositions}: 512 positions (e.g. a 23x23 map); where
     * channels-last convolutions would crash libtorch ({@link CpuQuirks}) every stage runs NCHW.
     */
    public static final long DEFAULT_CHANNELS_LAST_MIN_POSITIONS = 512;

    /**
     * Builds the network, uninitialized (DJL's {@code initialize} allocates the parameters; the
     * convolutions draw torchvision's kaiming-normal weights).
     *
     * @param config the architecture; an {@code fc} head exists when {@code config.numClasses() > 0}
     */
    public ResNet(ResNetConfig config) {
        this.config = config;
        conv1 = register("conv1", Conv2dLayer.builder(3, 64, 7).stride(2).padding(3).bias(false).build());
        bn1 = register("bn1", config.norm().create(64));
        int inplanes = 64;
        int dilation = 1;
        int outputStride = 4;
        for (int i = 0; i < 4; i++) {
            int planes = 64 << i;
            int stride = i == 0 ? 1 : 2;
            int previousDilation = dilation;
            if (i > 0 && config.replaceStrideWithDilation()[i - 1]) {
                dilation *= stride;
                stride = 1;
            }
            outputStride *= stride;
            strides[i] = outputStride;
            List<Block> blocks = new ArrayList<>();
            for (int b = 0; b < config.layers()[i]; b++) {
                blocks.add(
                        b == 0
                                ? block(inplanes, planes, stride, previousDilation)
                                : block(inplanes, planes, 1, dilation));
                inplanes = planes * config.block().expansion();
            }
            stages[i] = register("layer" + (i + 1), new TorchSequential(blocks));
        }
        fc = config.numClasses() > 0 ? register("fc", new LinearLayer(inplanes, config.numClasses())) : null;
    }

    private Block block(int in, int planes, int stride, int dilation) {
        return switch (config.block()) {
            case BASIC -> new BasicBlock(in, planes, stride, dilation, config.norm());
            case BOTTLENECK -> new Bottleneck(
                    in, planes, stride, config.groups(), config.widthPerGroup(), dilation, config.norm());
        };
    }

    /**
     * The architecture this network was built from.
     *
     * @return the config given to the constructor
     */
    public ResNetConfig config() {
        return config;
    }

    /**
     * Whether the {@code fc} classification head exists.
     *
     * @return {@code true} when the config has {@code numClasses > 0}
     */
    public boolean hasHead() {
        return fc != null;
    }

    /**
     * Output stride of layer{@code i} (1..4): 4, 8, 16, 32 without dilation.
     *
     * @param layer the stage, 1 to 4
     * @return input pixels per output position along each side; a dilated stage keeps the previous
     *     stage's stride (8, 8, 8 for layer2..4 with FCN's {@code [false, true, true]})
     * @throws ArrayIndexOutOfBoundsException if {@code layer} is not in 1..4
     */
    public int stride(int layer) {
        return strides[layer - 1];
    }

    /**
     * Runs the network and returns the requested stages (in {@link #STAGES} order); stages not
     * requested are freed as soon as the next one is computed. Returned arrays belong to the
     * input's manager.
     *
     * @param ps the parameter store that supplies the parameters on {@code x}'s device
     * @param x images [N, 3, H, W]; not closed
     * @param training {@code true} for a training pass (BatchNorm2d then normalises with the
     *     batch's statistics and updates its running ones), {@code false} for inference
     * @param wanted names from {@link #STAGES}; {@code logits} needs the head
     * @return a new map, in {@link #STAGES} order, from each wanted name to its array (named after
     *     the stage; the caller closes them): {@code stem} is [N, 64, ceil(H / 4), ceil(W / 4)],
     *     {@code layerI} is [N, C, ceil(H / s), ceil(W / s)] with s = {@link #stride}{@code (I)} and
     *     C = {@link ResNetConfig#stageChannels}{@code (I)}, either possibly with channels-last
     *     strides; {@code logits} is [N, numClasses], before softmax; empty when {@code wanted} is
     *     empty
     * @throws IllegalArgumentException a name is not a stage, or {@code logits} is wanted without a
     *     head
     */
    public Map<String, NDArray> features(
            ParameterStore ps, NDArray x, boolean training, Set<String> wanted) {
        for (String w : wanted) {
            if (!STAGES.contains(w)) {
                throw new IllegalArgumentException("unknown stage '" + w + "' (known: " + STAGES + ")");
            }
        }
        if (wanted.contains("logits") && fc == null) {
            throw new IllegalArgumentException("stage 'logits' needs a classification head (numClasses > 0)");
        }
        int last = 0;
        for (int i = 0; i < STAGES.size(); i++) {
            if (wanted.contains(STAGES.get(i))) {
                last = i;
            }
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        // no stage runs channels-last where CpuQuirks knows the fault, whatever the threshold: there
        // channels-last 1x1 convolutions to 512 channels give wrong values and wider ones crash
        long minPositions = CpuQuirks.channelsLastConvolutionCrashes() ? Long.MAX_VALUE : channelsLastMinPositions;
        boolean channelsLast = positions(x) >= minPositions;
        NDArray stemIn = channelsLast ? MemoryFormat.channelsLast(x) : x;
        NDArray n = ConvNorm.apply(ps, conv1, bn1, stemIn, training);
        if (stemIn != x) {
            stemIn.close();
        }
        NDArray r = InplaceRelu.apply(n);
        n.close();
        NDArray cur = Pool.maxPool2d(r, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        r.close();
        cur = keepOrNext(out, "stem", cur, null, wanted);
        for (int i = 0; i < 4 && i + 1 <= last; i++) {
            NDArray stageIn = cur;
            boolean want = positions(cur) >= minPositions && !(i + 1 >= nchwFromStageWhileRecording && Autograd.isRecording());
            if (want != channelsLast) {
                stageIn = want ? MemoryFormat.channelsLast(cur) : MemoryFormat.contiguous(cur);
                channelsLast = want;
                String kept = keyOf(out, cur);
                if (kept != null && stageIn != cur) {
                    // the returned map goes out in the layout the rule chose for its size, and its
                    // consumer (FCN's aux head runs NCHW, an FPN lateral convolution) shares this copy
                    stageIn.setName(kept);
                    out.put(kept, stageIn);
                    cur.close();
                    cur = stageIn;
                }
            }
            NDArray next = stages[i].forward(ps, new NDList(stageIn), training).singletonOrThrow();
            if (stageIn != cur) {
                stageIn.close();
            }
            cur = keepOrNext(out, "layer" + (i + 1), next, cur, wanted);
        }
        if (last == 5) {
            NDArray gap = Pool.globalAvgPool2d(cur);
            NDArray pooled = gap.reshape(gap.getShape().get(0), -1);
            if (pooled != gap) {
                gap.close();
            }
            NDArray logits = fc.forward(ps, new NDList(pooled), training).singletonOrThrow();
            pooled.close();
            keepOrNext(out, "logits", logits, cur, wanted);
        } else if (!out.containsValue(cur)) {
            cur.close();
        }
        return out;
    }

    /** The name {@code x} is kept under in {@code out}, or null. */
    private static String keyOf(Map<String, NDArray> out, NDArray x) {
        for (Map.Entry<String, NDArray> e : out.entrySet()) {
            if (e.getValue() == x) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Records {@code next} under {@code name} if wanted, and frees {@code prev} unless kept. */
    private static NDArray keepOrNext(
            Map<String, NDArray> out, String name, NDArray next, NDArray prev, Set<String> wanted) {
        if (prev != null && !out.containsValue(prev)) {
            prev.close();
        }
        if (wanted.contains(name)) {
            next.setName(name);
            out.put(name, next);
        }
        return next;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (fc != null) {
            return new NDList(features(ps, x, training, Set.of("logits")).get("logits"));
        }
        Map<String, NDArray> f =
                features(ps, x, training, Set.of("layer1", "layer2", "layer3", "layer4"));
        return new NDList(f.values());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long n = in.get(0);
        if (fc != null) {
            return new Shape[] {new Shape(n, config.numClasses())};
        }
        long h = stemSize(in.get(2));
        long w = stemSize(in.get(3));
        Shape[] out = new Shape[4];
        for (int i = 0; i < 4; i++) {
            long s = strides[i] / 4;
            out[i] = new Shape(n, config.stageChannels(i + 1), ceilDiv(h, s), ceilDiv(w, s));
        }
        return out;
    }

    /** N x H x W: the number of spatial positions a convolution slides over. */
    private static long positions(NDArray x) {
        Shape s = x.getShape();
        return s.get(0) * s.get(2) * s.get(3);
    }

    /**
     * Stages whose input has at least this many positions (N x H x W) run channels-last, the
     * others NCHW: measured on 2 CPU cores with libtorch 2.7.1, channels-last makes large maps'
     * convolutions up to 1.5x faster and small maps' (where the weights dominate) up to 1.8x
     * slower. Values and shapes are the same either way; returned stages may be channels-last
     * strided. {@code Long.MAX_VALUE} disables it. On a CPU with {@link CpuQuirks}' fault, where
     * oneDNN's cache sizes could not be mended, every stage runs NCHW whatever this threshold says.
     *
     * @param positions the threshold in N x H x W positions; the initial value is the system
     *     property {@code resvision.channelsLastMinPositions}, else {@link
     *     #DEFAULT_CHANNELS_LAST_MIN_POSITIONS}
     */
    public void setChannelsLastMinPositions(long positions) {
        channelsLastMinPositions = positions;
    }

    /**
     * Stages from {@code stage} on run NCHW while autograd records, whatever {@link
     * #setChannelsLastMinPositions} says; inference is unchanged. For a network whose consumer runs
     * NCHW on the last stage's output anyway, where the stage's backward is faster NCHW: FCN-ResNet50
     * ({@code Fcn} sets 4), whose dilated layer4 keeps 2048 channels at stride 8 and whose heads run
     * NCHW. Values are the same either way, to float rounding.
     *
     * @param stage 1-4; 5 (the initial value) for none
     * @throws IllegalArgumentException {@code stage} is not 1-5
     */
    public void setNchwFromStageWhileRecording(int stage) {
        if (stage < 1 || stage > 5) {
            throw new IllegalArgumentException("stage must be 1-4, or 5 for none: " + stage);
        }
        nchwFromStageWhileRecording = stage;
    }

    /**
     * The first stage that runs NCHW while autograd records ({@link #setNchwFromStageWhileRecording}).
     *
     * @return 1-4, or 5 for none
     */
    public int nchwFromStageWhileRecording() {
        return nchwFromStageWhileRecording;
    }

    private static long stemSize(long size) {
        long afterConv = (size + 6 - 7) / 2 + 1;
        return (afterConv + 2 - 3) / 2 + 1;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * torchvision's {@code trainable_layers}: 0 freezes the whole body, 5 trains everything;
     * otherwise the last {@code n} of {@code layer4, layer3, layer2, layer1, conv1} train ({@code
     * bn1} only with 5). The {@code fc} head, if any, stays trainable.
     *
     * @param n how many of {@code layer4, layer3, layer2, layer1, conv1}, in that order, take
     *     gradients: 0 to 5
     * @throws IllegalArgumentException if {@code n} is outside 0..5
     */
    public void setTrainableLayers(int n) {
        if (n < 0 || n > 5) {
            throw new IllegalArgumentException("trainable layers must be in 0..5, got " + n);
        }
        List<String> train = new ArrayList<>(List.of("layer4", "layer3", "layer2", "layer1", "conv1").subList(0, n));
        if (n == 5) {
            train.add("bn1");
        }
        train.add("fc");
        for (Map.Entry<String, Block> child : torchChildren().entrySet()) {
            if (child.getValue() instanceof TorchModule m) {
                m.setTrainable(train.contains(child.getKey()));
            }
        }
    }

    /**
     * Number of parameters that currently take gradients.
     *
     * @return the element count (as torch's {@code numel}) summed over every parameter that
     *     requires a gradient; running statistics never do
     */
    public long trainableParameterCount() {
        long count = 0;
        for (Parameter p : namedParameters().values()) {
            if (p.requiresGradient()) {
                count += p.getShape().size();
            }
        }
        return count;
    }
}
