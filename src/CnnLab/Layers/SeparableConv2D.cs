using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' SeparableConv2D: a depthwise convolution (each input channel with its own depth_multiplier kernels, no bias)
/// followed by a pointwise 1x1 convolution to <see cref="Filters"/> channels, which carries the bias. Keras' "same"
/// padding as <see cref="Conv2D"/> (the odd extra row and column after). Both steps are matrix products (the depthwise
/// one as <see cref="DepthwiseStep"/> says), so neither reaches oneDNN's unverified grouped kernels.
/// </summary>
public sealed class SeparableConv2D : Layer
{
    private Parameter? _depthwise;
    private Parameter? _pointwise;
    private Parameter? _bias;
    private long[] _pads = new long[4];

    /// <summary>
    /// Creates the layer. Defaults as Keras: strides 1, padding "valid", depth_multiplier 1, use_bias true, no
    /// activation, no regularizers.
    /// </summary>
    public SeparableConv2D(int filters, Size2 kernelSize, Size2? strides = null, Padding padding = Padding.Valid, int depthMultiplier = 1,
        bool useBias = true, string? activation = null, Regularizer? depthwiseRegularizer = null, Regularizer? pointwiseRegularizer = null,
        string? name = null)
        : base(name)
    {
        kernelSize.RequirePositive(nameof(kernelSize));
        var stride = strides ?? new Size2(1, 1);
        stride.RequirePositive(nameof(strides));
        (Filters, KernelSize, Strides, Padding, DepthMultiplier, UseBias, ActivationName) =
            (Conv2D.RequireFilters(filters), kernelSize, stride, padding, DepthwiseStep.RequireMultiplier(depthMultiplier), useBias,
                activation);
        (DepthwiseRegularizer, PointwiseRegularizer) = (depthwiseRegularizer, pointwiseRegularizer);
        ActivationFunction = activation is null ? null : Activations.Get(activation);
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel (height, width) of the depthwise step.</summary>
    public Size2 KernelSize { get; }

    /// <summary>Stride (height, width) of the depthwise step.</summary>
    public Size2 Strides { get; }

    /// <summary>valid or same.</summary>
    public Padding Padding { get; }

    /// <summary>Depthwise kernels per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>Whether a bias is added after the pointwise step.</summary>
    public bool UseBias { get; }

    /// <summary>The activation applied after the bias, or null.</summary>
    public string? ActivationName { get; }

    /// <summary>The penalty on the depthwise kernel added to the training loss, or null.</summary>
    public Regularizer? DepthwiseRegularizer { get; }

    /// <summary>The penalty on the pointwise kernel added to the training loss, or null.</summary>
    public Regularizer? PointwiseRegularizer { get; }

    private Func<Tensor, Tensor>? ActivationFunction { get; }

    /// <summary>The depthwise kernels, shaped (channels x depth_multiplier,
    /// 1, kernel_height, kernel_width) as PyTorch's grouped Conv2d.</summary>
    public Tensor DepthwiseKernel => _depthwise ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>The pointwise kernel, shaped (filters, channels x depth_multiplier, 1, 1) as PyTorch's Conv2d.</summary>
    public Tensor PointwiseKernel => _pointwise ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>The bias, or null when <see cref="UseBias"/> is false.</summary>
    public Tensor? Bias => _bias;

    /// <inheritdoc />
    public override Tensor? RegularizationLoss()
    {
        var depthwise = DepthwiseRegularizer?.Penalty(DepthwiseKernel);
        var pointwise = PointwiseRegularizer?.Penalty(PointwiseKernel);
        if (depthwise is null || pointwise is null)
        {
            return depthwise ?? pointwise;
        }
        using (depthwise)
        using (pointwise)
        {
            return depthwise.add(pointwise);
        }
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!inputShape.IsImage)
        {
            throw IncompatibleRank(inputShape, 3, "SeparableConv2D expects (height, width, channels) images.");
        }
        var (height, width) = PaddingRules.WindowOutput(inputShape, KernelSize, Strides, Padding, Name, "kernel_size", "kernel");
        return Shape.Image(height, width, Filters);
    }

    /// <inheritdoc />
    protected internal override long WeightCount(Shape inputShape)
    {
        var depth = checked((long)inputShape.Channels * DepthMultiplier);
        return checked(depth * KernelSize.Height * KernelSize.Width + depth * Filters + (UseBias ? Filters : 0));
    }

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        var channels = inputShape.Channels;
        var depth = (long)channels * DepthMultiplier;
        var receptive = (long)KernelSize.Height * KernelSize.Width;
        // Keras' fans for its (kh, kw, channels, multiplier) and (1, 1, channels x multiplier, filters) kernels.
        _depthwise = new Parameter(Initializers.GlorotUniform(
            new long[] { depth, 1, KernelSize.Height, KernelSize.Width }, receptive * channels, receptive * DepthMultiplier, generator));
        register_parameter("depthwise_kernel", _depthwise);
        _pointwise = new Parameter(Initializers.GlorotUniform(new long[] { Filters, depth, 1, 1 }, depth, Filters, generator));
        register_parameter("pointwise_kernel", _pointwise);
        if (UseBias)
        {
            _bias = new Parameter(zeros(Filters));
            register_parameter("bias", _bias);
        }
        _pads = DepthwiseStep.Pads(inputShape, KernelSize, Strides, Padding);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (depthwise, height, width) = DepthwiseStep.Apply(Engine.MixedPrecision.Compute(input),
            Engine.MixedPrecision.Compute(DepthwiseKernel), _pads, KernelSize, Strides, DepthMultiplier);
        var output = Engine.MixedPrecision.Compute(PointwiseKernel).view(Filters, -1).matmul(depthwise)
            .view(input.shape[0], Filters, height, width);
        if (_bias is not null)
        {
            output = output.add(Engine.MixedPrecision.Compute(_bias).view(1, -1, 1, 1));
        }
        if (ActivationFunction is not null)
        {
            output = ActivationFunction(output);
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["filters"] = Filters;
        config["kernel_size"] = new JsonArray(KernelSize.Height, KernelSize.Width);
        config["strides"] = new JsonArray(Strides.Height, Strides.Width);
        config["padding"] = Padding.ToKeras();
        config["depth_multiplier"] = DepthMultiplier;
        config["use_bias"] = UseBias;
        config["activation"] = ActivationName;
        config["depthwise_regularizer"] = DepthwiseRegularizer?.ToConfig();
        config["pointwise_regularizer"] = PointwiseRegularizer?.ToConfig();
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new SeparableConv2D(config.Int("filters"), config.Pair("kernel_size"), config.Pair("strides", new Size2(1, 1)),
            config.Padding(),
            config.Int("depth_multiplier", 1), config.Bool("use_bias", true),
                config.OptionalText("activation", "an activation name or null"),
            config.Regularizer("depthwise_regularizer"), config.Regularizer("pointwise_regularizer"), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        graph.Node("Conv", $"{Name}/depthwise", graph.WeightedInputs(Name, "depthwise_kernel", DepthwiseKernel, null),
            DepthwiseStep.OnnxAttributes(InputShape!, KernelSize, Strides, Padding));
        graph.Node("Conv", $"{Name}/pointwise", graph.WeightedInputs(Name, "pointwise_kernel", PointwiseKernel, Bias),
            new() { OnnxGraph.Ints("kernel_shape", 1, 1) });
        graph.Activation(ActivationName, Name);
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        module.Comment($"{Name} (SeparableConv2D, {Filters} filters, kernel {KernelSize}, padding \"{Padding.ToKeras()}\")");
        DepthwiseStep.ToPyTorch(module, InputShape!, KernelSize, Strides, Padding, DepthMultiplier, DepthwiseKernel, null);
        module.Emit(PyTorchModule.F(
            $"nn.Conv2d({InputShape!.Channels * DepthMultiplier}, {Filters}, kernel_size=1, bias={PyTorchModule.Py(UseBias)})"),
            PyTorchModule.WeightAndBias(PointwiseKernel, Bias));
        module.Activation(ActivationName);
    }

    internal override IEnumerable<string> KerasIgnoredKeys => base.KerasIgnoredKeys.Concat(new[]
    {
        "depthwise_initializer", "depthwise_regularizer", "depthwise_constraint", "pointwise_initializer", "pointwise_constraint",
    });

    internal override IReadOnlyList<string> KerasWeightRoles => UseBias
        ? new[] { "depthwise_kernel", "pointwise_kernel", "bias" }
        : new[] { "depthwise_kernel", "pointwise_kernel" };

    internal override void ImportKerasWeights(KerasWeights weights)
    {
        var channels = InputShape!.Channels;
        var depthwise = weights.Get("depthwise_kernel", KernelSize.Height, KernelSize.Width, channels, DepthMultiplier);
        weights.Set("depthwise_kernel", KerasWeights.GroupedLayout(depthwise));
        // Keras: (1, 1, channels x multiplier, filters); CnnLab: (filters, channels x multiplier, 1, 1).
        var pointwise = weights.Get("pointwise_kernel", 1, 1, (long)channels * DepthMultiplier, Filters);
        weights.Set("pointwise_kernel", KerasWeights.ConvolutionKernel(pointwise));
        weights.SetBias(Filters);
    }
}
