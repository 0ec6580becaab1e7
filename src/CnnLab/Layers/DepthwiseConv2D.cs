using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' DepthwiseConv2D: each input channel convolved with its own depth_multiplier kernels (no mixing across
/// channels), output channels = channels x depth_multiplier, Keras' "same" padding (the odd extra row and column
/// after); computed as <see cref="DepthwiseStep"/> says.
/// </summary>
public sealed class DepthwiseConv2D : Layer
{
    private Parameter? _kernel;
    private Parameter? _bias;
    private long[] _pads = new long[4];

    /// <summary>Creates the layer. Defaults as Keras: strides 1, padding
    /// "valid", depth_multiplier 1, use_bias true, no activation.</summary>
    public DepthwiseConv2D(Size2 kernelSize, Size2? strides = null, Padding padding = Padding.Valid, int depthMultiplier = 1,
        bool useBias = true, string? activation = null, string? name = null)
        : base(name)
    {
        kernelSize.RequirePositive(nameof(kernelSize));
        var stride = strides ?? new Size2(1, 1);
        stride.RequirePositive(nameof(strides));
        (KernelSize, Strides, Padding, DepthMultiplier, UseBias, ActivationName) =
            (kernelSize, stride, padding, DepthwiseStep.RequireMultiplier(depthMultiplier), useBias, activation);
        ActivationFunction = activation is null ? null : Activations.Get(activation);
    }

    /// <summary>Kernel (height, width).</summary>
    public Size2 KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public Size2 Strides { get; }

    /// <summary>valid or same.</summary>
    public Padding Padding { get; }

    /// <summary>Output channels per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>The activation applied after the convolution, or null.</summary>
    public string? ActivationName { get; }

    private Func<Tensor, Tensor>? ActivationFunction { get; }

    /// <summary>The kernels, shaped (channels x depth_multiplier, 1, kernel_height, kernel_width) as PyTorch's grouped Conv2d.</summary>
    public Tensor Kernel => _kernel ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!inputShape.IsImage)
        {
            throw new ArgumentException($"Layer \"{Name}\" (DepthwiseConv2D) takes an image (height, width, channels); " +
                $"received input shape {inputShape}.");
        }
        var (height, width) = PaddingRules.WindowOutput(inputShape, KernelSize, Strides, Padding, Name, "kernel_size", "kernel");
        return Shape.Image(height, width, checked(inputShape.Channels * DepthMultiplier));
    }

    /// <inheritdoc />
    protected internal override long WeightCount(Shape inputShape) =>
        checked((long)inputShape.Channels * DepthMultiplier * (KernelSize.Height * KernelSize.Width + (UseBias ? 1 : 0)));

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        var channels = inputShape.Channels;
        var receptive = (long)KernelSize.Height * KernelSize.Width;
        // Keras' fans for its (kh, kw, channels, multiplier) kernel.
        _kernel = new Parameter(Initializers.GlorotUniform(
            new long[] { channels * DepthMultiplier, 1, KernelSize.Height, KernelSize.Width }, receptive * channels,
                receptive * DepthMultiplier, generator));
        register_parameter("kernel", _kernel);
        if (UseBias)
        {
            _bias = new Parameter(zeros(channels * DepthMultiplier));
            register_parameter("bias", _bias);
        }
        _pads = DepthwiseStep.Pads(inputShape, KernelSize, Strides, Padding);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (depthwise, height, width) = DepthwiseStep.Apply(Engine.MixedPrecision.Compute(input), Engine.MixedPrecision.Compute(Kernel),
            _pads, KernelSize, Strides, DepthMultiplier);
        var output = depthwise.reshape(input.shape[0], -1, height, width);
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
        config["kernel_size"] = new JsonArray(KernelSize.Height, KernelSize.Width);
        config["strides"] = new JsonArray(Strides.Height, Strides.Width);
        config["padding"] = Padding.ToKeras();
        config["depth_multiplier"] = DepthMultiplier;
        config["use_bias"] = UseBias;
        config["activation"] = ActivationName;
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new DepthwiseConv2D(config.Pair("kernel_size"), config.Pair("strides", new Size2(1, 1)), config.Padding(),
            config.Int("depth_multiplier", 1),
            config.Bool("use_bias", true), config.OptionalText("activation", "an activation name or null"), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        // The grouped layout CnnLab keeps: (channels x multiplier, 1, height, width), one group per channel.
        graph.Node("Conv", Name, graph.WeightedInputs(Name, "kernel", Kernel, _bias),
            DepthwiseStep.OnnxAttributes(InputShape!, KernelSize, Strides, Padding));
        graph.Activation(ActivationName, Name);
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        DepthwiseStep.ToPyTorch(module, InputShape!, KernelSize, Strides, Padding, DepthMultiplier, Kernel, _bias);
        module.Activation(ActivationName);
    }

    internal override IEnumerable<string> KerasIgnoredKeys =>
        base.KerasIgnoredKeys.Concat(new[] { "depthwise_initializer", "depthwise_regularizer", "depthwise_constraint" });

    internal override IReadOnlyList<string> KerasWeightRoles => UseBias ? new[] { "depthwise_kernel", "bias" }
        : new[] { "depthwise_kernel" };

    internal override void ImportKerasWeights(KerasWeights weights)
    {
        var channels = InputShape!.Channels;
        var kernel = weights.Get("depthwise_kernel", KernelSize.Height, KernelSize.Width, channels, DepthMultiplier);
        weights.Set("kernel", KerasWeights.GroupedLayout(kernel));
        weights.SetBias((long)channels * DepthMultiplier);
    }
}
