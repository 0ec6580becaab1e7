using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Engine;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Padding = CnnLab.Core.Padding;

namespace CnnLab.Layers;

/// <summary>
/// Keras' Conv2D: <see cref="Filters"/> kernels of <see cref="KernelSize"/>, glorot_uniform weights and zero biases.
/// padding "same" with an even kernel pads as TensorFlow does: the extra row and column at the bottom and right.
/// </summary>
public sealed class Conv2D : Layer
{
    private Parameter? _kernel;
    private Parameter? _bias;
    private long[] _symmetricPadding = { 0, 0 };
    private long[]? _asymmetricPadding;

    /// <summary>Creates the layer. Defaults as Keras: strides 1, padding "valid", use_bias true, activation none, no regularizer.</summary>
    public Conv2D(int filters, Size2 kernelSize, Size2? strides = null, Padding padding = Padding.Valid,
        bool useBias = true, string? activation = null, Regularizer? kernelRegularizer = null, string? name = null)
        : base(name)
    {
        kernelSize.RequirePositive(nameof(kernelSize));
        var stride = strides ?? new Size2(1, 1);
        stride.RequirePositive(nameof(strides));
        Filters = RequireFilters(filters);
        KernelSize = kernelSize;
        Strides = stride;
        Padding = padding;
        UseBias = useBias;
        ActivationName = activation;
        KernelRegularizer = kernelRegularizer;
        ActivationFunction = activation is null ? null : Activations.Get(activation);
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Keras' check of filters, also SeparableConv2D's.</summary>
    internal static int RequireFilters(int filters) => filters > 0 ? filters
        : throw new ArgumentException($"Invalid value for argument `filters`. Expected a strictly positive value. " +
            $"Received filters={filters}.", nameof(filters));

    /// <summary>Kernel (height, width).</summary>
    public Size2 KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public Size2 Strides { get; }

    /// <summary>valid or same.</summary>
    public Padding Padding { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>The activation applied after the convolution, or null.</summary>
    public string? ActivationName { get; }

    internal Func<Tensor, Tensor>? ActivationFunction { get; }

    /// <summary>The penalty on the kernel added to the training loss, or null.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <inheritdoc />
    public override Tensor? RegularizationLoss() => KernelRegularizer?.Penalty(Kernel);

    /// <summary>The kernel, shaped (filters, in_channels, kernel_height, kernel_width).</summary>
    public Tensor Kernel => _kernel ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>The bias, or null when <see cref="UseBias"/> is false.</summary>
    public Tensor? Bias => _bias;

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (!inputShape.IsImage)
        {
            throw IncompatibleRank(inputShape, 3, "Conv2D expects (height, width, channels) images.");
        }
        var (height, width) = PaddingRules.WindowOutput(inputShape, KernelSize, Strides, Padding, Name, "kernel_size", "kernel");
        return Shape.Image(height, width, Filters);
    }

    /// <inheritdoc />
    protected internal override long WeightCount(Shape inputShape) =>
        checked((long)Filters * inputShape.Channels * KernelSize.Height * KernelSize.Width + (UseBias ? Filters : 0));

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        var inChannels = inputShape.Channels;
        var receptive = (long)KernelSize.Height * KernelSize.Width;
        _kernel = new Parameter(Initializers.GlorotUniform(
            new long[] { Filters, inChannels, KernelSize.Height, KernelSize.Width }, inChannels * receptive, Filters * receptive,
                generator));
        register_parameter("kernel", _kernel);
        if (UseBias)
        {
            _bias = new Parameter(zeros(Filters));
            register_parameter("bias", _bias);
        }
        if (Padding == Padding.Same)
        {
            var (top, bottom) = PaddingRules.SamePadding(inputShape.Height, KernelSize.Height, Strides.Height);
            var (left, right) = PaddingRules.SamePadding(inputShape.Width, KernelSize.Width, Strides.Width);
            // libtorch pads symmetrically only; an even kernel needs the extra row and column after, so pad explicitly then.
            if (top == bottom && left == right)
            {
                _symmetricPadding = new long[] { top, left };
            }
            else
            {
                _asymmetricPadding = new long[] { left, right, top, bottom };
            }
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var strides = new long[] { Strides.Height, Strides.Width };
        if (MixedPrecision.Active && input.shape[1] < FewChannels)
        {
            // oneDNN 3.7 has no bf16 weight-gradient kernel for one input channel: it falls back to a reference gemm,
            // 4.9 ms a step for m3-leaky's first layer against 0.19 ms in float32; on an AMD EPYC family 26 its bf16
            // forward kernel for one channel was also wrong (the self-test's note). So a convolution of the image itself
            // computes in float32, and its output goes on in bf16.
            using (MixedPrecision.Use(Precision.Float32))
            {
                using var wide = forward(input);
                return wide.to(ScalarType.BFloat16);
            }
        }
        // Under mixed_bfloat16 the input, kernel and bias go in as bf16 copies (aliases otherwise); the weights stay float32.
        using var computed = MixedPrecision.Compute(input);
        using var padded = _asymmetricPadding is null ? computed.alias() : F.pad(computed, _asymmetricPadding);
        using var bias = _bias is null ? null : MixedPrecision.Compute(_bias);
        if (Engine.TorchEngine.Path != Engine.ConvolutionPath.OneDnnChannelsLast)
        {
            using var plain = MixedPrecision.Compute(Kernel);
            return Activate(F.conv2d(padded, plain, bias, strides: strides, padding: _symmetricPadding));
        }
        // oneDNN is trusted on channels-last tensors only, through the route the engine's self-test checks. The output
        // comes out channels-last, and pooling, BatchNormalization and activations keep it, so after the first layer the
        // input is already channels-last and its layout change is an alias.
        using var kernel = MixedPrecision.Compute(Kernel);
        return Activate(Engine.OneDnnConvolution.Apply(padded, kernel, bias, strides, _symmetricPadding));
    }

    /// <summary>Below this many input channels (an image's 1 or 3) a convolution computes in float32 under mixed precision.</summary>
    internal const int FewChannels = 4;

    private Tensor Activate(Tensor output)
    {
        if (ActivationFunction is null)
        {
            return output;
        }
        using (output)
        {
            return ActivationFunction(output);
        }
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["filters"] = Filters;
        config["kernel_size"] = new JsonArray(KernelSize.Height, KernelSize.Width);
        config["strides"] = new JsonArray(Strides.Height, Strides.Width);
        config["padding"] = Padding.ToKeras();
        config["use_bias"] = UseBias;
        config["activation"] = ActivationName;
        config["kernel_regularizer"] = KernelRegularizer?.ToConfig();
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Conv2D(config.Int("filters"), config.Pair("kernel_size"), config.Pair("strides", new Size2(1, 1)), config.Padding(),
            config.Bool("use_bias", true), config.OptionalText("activation", "an activation name or null"), config.Regularizer(),
                config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        graph.Node("Conv", Name, graph.WeightedInputs(Name, "kernel", Kernel, Bias),
            OnnxGraph.Window(InputShape!, KernelSize, Strides, Padding));
        graph.Activation(ActivationName, Name);
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        module.Comment($"{Name} (Conv2D, {Filters} filters, kernel {KernelSize}, padding \"{Padding.ToKeras()}\")");
        var (top, bottom, left, right) = Padding == Padding.Same ? PyTorchModule.SamePads(InputShape!, KernelSize, Strides) : (0, 0, 0, 0);
        var symmetric = top == bottom && left == right;
        if (!symmetric)
        {
            // PyTorch pads both sides alike; TensorFlow puts an even kernel's extra row and column at the bottom and right.
            module.Emit(PyTorchModule.F($"nn.ZeroPad2d(({left}, {right}, {top}, {bottom}))"));
        }
        var padding = symmetric ? $"({top}, {left})" : "0";
        var window = PyTorchModule.F($"kernel_size=({KernelSize.Height}, {KernelSize.Width}), stride=({Strides.Height}, {Strides.Width})");
        var bias = PyTorchModule.Py(UseBias);
        module.Emit(PyTorchModule.F($"nn.Conv2d({InputShape!.Channels}, {Filters}, {window}, padding={padding}, bias={bias})"),
            PyTorchModule.WeightAndBias(Kernel, Bias));
        module.Activation(ActivationName);
    }

    internal override IReadOnlyList<string> KerasWeightRoles => UseBias ? new[] { "kernel", "bias" } : new[] { "kernel" };

    internal override void ImportKerasWeights(KerasWeights weights)
    {
        var kernel = weights.Get("kernel", KernelSize.Height, KernelSize.Width, InputShape!.Channels, Filters);
        weights.Set("kernel", KerasWeights.ConvolutionKernel(kernel));
        weights.SetBias(Filters);
    }
}
