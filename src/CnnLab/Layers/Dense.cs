using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' Dense: activation(x W + b), glorot_uniform weights and zero biases.</summary>
public sealed class Dense : Layer
{
    private Parameter? _kernel;
    private Parameter? _bias;

    /// <summary>Creates the layer. Defaults as Keras: no activation, use_bias true, no regularizer.</summary>
    public Dense(int units, string? activation = null, bool useBias = true, Regularizer? kernelRegularizer = null, string? name = null)
        : base(name)
    {
        if (units <= 0)
        {
            throw new ArgumentException(
                $"Invalid value for argument `units`. Expected a strictly positive value. Received units={units}.", nameof(units));
        }
        Units = units;
        UseBias = useBias;
        ActivationName = activation;
        KernelRegularizer = kernelRegularizer;
        ActivationFunction = activation is null ? null : Activations.Get(activation);
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>The activation applied after the product, or null.</summary>
    public string? ActivationName { get; }

    internal Func<Tensor, Tensor>? ActivationFunction { get; }

    /// <summary>The penalty on the kernel added to the training loss, or null.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <inheritdoc />
    public override Tensor? RegularizationLoss() => KernelRegularizer?.Penalty(Kernel);

    /// <summary>The kernel, shaped (units, inputs) as torch.nn.Linear.</summary>
    public Tensor Kernel => _kernel ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>The bias, or null.</summary>
    public Tensor? Bias => _bias;

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 1)
        {
            throw IncompatibleRank(inputShape, 1, "Add a `Flatten` layer before `Dense`.");
        }
        return new Shape(Units);
    }

    /// <inheritdoc />
    protected internal override long WeightCount(Shape inputShape) => checked((long)Units * inputShape.Channels + (UseBias ? Units : 0));

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        _kernel =
            new Parameter(Initializers.GlorotUniform(new long[] { Units, inputShape.Channels }, inputShape.Channels, Units, generator));
        register_parameter("kernel", _kernel);
        if (UseBias)
        {
            _bias = new Parameter(zeros(Units));
            register_parameter("bias", _bias);
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (ActivationFunction is null)
        {
            return ForwardLinear(input);
        }
        using var linear = ForwardLinear(input);
        return ActivationFunction(linear);
    }

    /// <summary>x W + b without the activation: the logits when the activation is a softmax.</summary>
    internal Tensor ForwardLinear(Tensor input)
    {
        // Under mixed_bfloat16, bf16 copies of the input and weights (aliases otherwise); the weights stay float32.
        using var computed = Engine.MixedPrecision.Compute(input);
        using var kernel = Engine.MixedPrecision.Compute(Kernel);
        using var bias = _bias is null ? null : Engine.MixedPrecision.Compute(_bias);
        return F.linear(computed, kernel, bias);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["units"] = Units;
        config["activation"] = ActivationName;
        config["use_bias"] = UseBias;
        config["kernel_regularizer"] = KernelRegularizer?.ToConfig();
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Dense(config.Int("units"), config.OptionalText("activation", "an activation name or null"),
            config.Bool("use_bias", true), config.Regularizer(), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        if (InputShape!.Rank != 1)
        {
            throw new NotSupportedException($"Layer \"{Name}\" (Dense) takes a rank-{InputShape.Rank} input {InputShape}; " +
                $"only Dense layers on vectors (after a Flatten) can be exported to ONNX.");
        }
        // The kernel is (units, inputs), PyTorch's order: Gemm multiplies by its transpose.
        graph.Node("Gemm", Name, graph.WeightedInputs(Name, "kernel", Kernel, Bias), new() { OnnxGraph.Int("transB", 1) });
        graph.Activation(ActivationName, Name);
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        if (InputShape!.Rank != 1)
        {
            throw new NotSupportedException($"Layer \"{Name}\" (Dense) takes a rank-{InputShape.Rank} input {InputShape}; " +
                $"only Dense layers after a Flatten can be exported.");
        }
        module.Comment($"{Name} (Dense, {Units} units)");
        module.Emit(PyTorchModule.F($"nn.Linear({InputShape.Channels}, {Units}, bias={PyTorchModule.Py(UseBias)})"),
            PyTorchModule.WeightAndBias(Kernel, Bias));
        module.Activation(ActivationName);
    }

    internal override IReadOnlyList<string> KerasWeightRoles => UseBias ? new[] { "kernel", "bias" } : new[] { "kernel" };

    internal override void ImportKerasWeights(KerasWeights weights)
    {
        var kernel = weights.Get("kernel", InputShape!.Channels, Units);
        if (weights.FlattenedImage is { } image)
        {
            // Keras flattens (height, width, channels); CnnLab's Flatten reads NCHW, channel-major.
            kernel = kernel.reshape(image.Height, image.Width, image.Channels, -1).permute(2, 0, 1, 3).reshape(image.Size, -1);
        }
        weights.Set("kernel", kernel.t().contiguous());
        weights.SetBias(Units);
    }

    internal override bool EndsWithSoftmax => ActivationName == "softmax";

    internal override Tensor ForwardLogits(Tensor input) => ForwardLinear(input);
}
