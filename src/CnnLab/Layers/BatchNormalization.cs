using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>
/// Keras' BatchNormalization over the channel axis. In training it normalises with the batch's mean and
/// biased variance and moves the moving statistics: moving = moving * momentum + batch * (1 - momentum).
/// In inference it uses the moving statistics. gamma and beta are trainable; moving_mean and
/// moving_variance count as non-trainable parameters, as Keras reports them.
/// </summary>
public sealed class BatchNormalization : Layer
{
    private Parameter? _gamma;
    private Parameter? _beta;
    private Tensor? _movingMean;
    private Tensor? _movingVariance;

    /// <summary>Creates the layer. Defaults as Keras: momentum 0.99, epsilon 1e-3, center and scale on.</summary>
    public BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null)
        : base(name)
    {
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `momentum`. Expected a value in [0, 1]. Received: momentum={momentum}", nameof(momentum));
        }
        if (!(epsilon > 0))
        {
            throw new ArgumentException(
                $"Invalid value for argument `epsilon`. Expected a strictly positive value. Received: epsilon={epsilon}", nameof(epsilon));
        }
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
    }

    /// <summary>Weight of the old moving statistics in each update.</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }

    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }

    /// <summary>The moving mean (zeros at first).</summary>
    public Tensor MovingMean => _movingMean ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>The moving variance (ones at first).</summary>
    public Tensor MovingVariance => _movingVariance ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>gamma, or null without scale.</summary>
    public Tensor? Gamma => _gamma;

    /// <summary>beta, or null without center.</summary>
    public Tensor? Beta => _beta;

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    protected internal override long WeightCount(Shape inputShape) => 4L * inputShape.Channels;

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        var channels = inputShape.Channels;
        if (Scale)
        {
            _gamma = new Parameter(ones(channels));
            register_parameter("gamma", _gamma);
        }
        if (Center)
        {
            _beta = new Parameter(zeros(channels));
            register_parameter("beta", _beta);
        }
        _movingMean = zeros(channels);
        _movingVariance = ones(channels);
        register_buffer("moving_mean", _movingMean);
        register_buffer("moving_variance", _movingVariance);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // A bf16 input (mixed precision) goes to libtorch's mixed-type kernel as it is: with float32 weights and
        // statistics it sums in float32, as Keras' mixed precision normalises in float32, and answers in bf16.
        // libtorch's channels-last batch norm in training is slow for few channels: 20 channels at 28x28, batch 50, took
        // 7-13 ms forward and backward against 3 ms for a copy to NCHW and the NCHW kernel; 40 channels at 14x14 took the
        // same either way. So narrow channels-last inputs (the oneDNN path's convolution outputs) are normalised in NCHW
        // while training; inference keeps them channels-last (the copies back cost more than its kernel saves).
        if (IsTraining && Engine.ChannelsLast.Is(input) && input.shape[1] < NarrowChannels && input.shape[1] > 1)
        {
            using var nchw = input.contiguous();
            return Normalize(nchw);
        }
        return Normalize(input);
    }

    /// <summary>Below this many channels a channels-last input is normalised in NCHW (see <see cref="forward"/>).</summary>
    internal const int NarrowChannels = 32;

    private Tensor Normalize(Tensor input)
    {
        if (!IsTraining)
        {
            return F.batch_norm(input, MovingMean, MovingVariance, _gamma, _beta, false, 0, Epsilon);
        }
        // The fused kernel normalises with the biased batch variance but would update running statistics with the
        // unbiased one. It still computes both in its single pass: with momentum 1 it writes the batch mean and the
        // unbiased variance into scratch buffers, and the biased one Keras' moving variance uses is a rescale away.
        // (A separate var_mean pass cost more than the normalisation itself.)
        using var batchMean = zeros_like(MovingMean);
        using var batchVariance = zeros_like(MovingVariance);
        var output = F.batch_norm(input, batchMean, batchVariance, _gamma, _beta, true, 1.0, Epsilon);
        var count = input.numel() / input.shape[1];
        using (no_grad())
        {
            MovingMean.mul_(Momentum).add_(batchMean, 1 - Momentum);
            MovingVariance.mul_(Momentum).add_(batchVariance, (1 - Momentum) * (count - 1) / count);
        }
        return output;
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["momentum"] = Momentum;
        config["epsilon"] = Epsilon;
        config["center"] = Center;
        config["scale"] = Scale;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new BatchNormalization(config.Number("momentum", 0.99), config.Number("epsilon", 1e-3), config.Bool("center", true),
            config.Bool("scale", true), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        var channels = InputShape!.Channels;
        using var ones = Gamma is null ? torch.ones(channels) : null;
        using var zeros = Beta is null ? torch.zeros(channels) : null;
        graph.Node("BatchNormalization", Name,
            new() { graph.Current, graph.Weight($"{Name}.gamma", Gamma ?? ones!), graph.Weight($"{Name}.beta", Beta ?? zeros!),
                    graph.Weight($"{Name}.moving_mean", MovingMean), graph.Weight($"{Name}.moving_variance", MovingVariance) },
            new() { OnnxGraph.Float("epsilon", Epsilon) });
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        var channels = InputShape!.Channels;
        module.Comment($"{Name} (BatchNormalization): " +
            $"Keras' momentum {Momentum.ToString(System.Globalization.CultureInfo.InvariantCulture)} is PyTorch's 1 - momentum");
        var kind = InputShape.Rank == 1 ? "BatchNorm1d" : "BatchNorm2d";
        // PyTorch's affine is both scale and centre or neither; a missing one is exported as its identity value.
        using var gamma = Gamma is null ? torch.ones(channels) : null;
        using var beta = Beta is null ? torch.zeros(channels) : null;
        using var batches = torch.tensor(0L);
        module.Emit(PyTorchModule.F(
            $"nn.{kind}({channels}, eps={PyTorchModule.Py(Epsilon)}, momentum={PyTorchModule.Py(Math.Round(1 - Momentum, 12))})"),
            ("weight", Gamma ?? gamma!), ("bias", Beta ?? beta!), ("running_mean", MovingMean), ("running_var", MovingVariance),
            ("num_batches_tracked", batches));
    }

    private static readonly string[] KerasKeys =
    {
        "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_constraint",
        "gamma_constraint", "beta_regularizer", "gamma_regularizer", "axis", "renorm", "renorm_clipping", "renorm_momentum", "fused",
        "virtual_batch_size", "adjustment", "synchronized",
    };

    internal override IEnumerable<string> KerasIgnoredKeys => base.KerasIgnoredKeys.Concat(KerasKeys);

    internal override void CheckKerasConfig(JsonObject config, string at)
    {
        base.CheckKerasConfig(config, at);
        RequireKerasDefault(config, at, "renorm", n => n is JsonValue v && v.TryGetValue<bool>(out var b) && !b,
            "BatchNormalization without renorm");
        RequireKerasDefault(config, at, "axis",
            n => JsonFields.IntOf(n) is -1 or 3 || n is JsonArray { Count: 1 } a && JsonFields.IntOf(a[0]) is -1 or 3,
            "normalisation over the channel axis (-1)");
    }

    internal override IReadOnlyList<string> KerasWeightRoles =>
        new[] { Scale ? "gamma" : null, Center ? "beta" : null, "moving_mean", "moving_variance" }.OfType<string>().ToList();

    internal override void ImportKerasWeights(KerasWeights weights)
    {
        // After a Flatten the vectors are per feature, in Keras' (height, width, channels) order.
        foreach (var role in new[] { "gamma", "beta", "moving_mean", "moving_variance" })
        {
            if (weights.Has(role))
            {
                weights.Set(role, weights.InCnnLabOrder(weights.Get(role, InputShape!.Channels)));
            }
        }
    }
}
