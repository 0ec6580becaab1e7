using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' Normalization over the channel axis: (x - mean) / max(sqrt(variance), 1e-7) per channel, or with
/// <see cref="Invert"/> the way back. The statistics are either given (<c>mean</c>, <c>variance</c>: kept in the
/// config, no weights) or learnt by <see cref="Adapt"/> from data into non-trainable weights (mean, variance and
/// Keras' sample count), saved with the model, so every path that runs the model standardises its inputs the same way.
/// </summary>
public sealed class Normalization : Layer
{
    /// <summary>Keras' backend epsilon, the smallest standard deviation divided by.</summary>
    public const double Epsilon = 1e-7;

    private readonly double[]? _givenMean;
    private readonly double[]? _givenVariance;
    private Tensor? _mean;
    private Tensor? _variance;
    private Tensor? _count;

    /// <summary>
    /// Creates the layer. <paramref name="mean"/> and <paramref name="variance"/> are one value for all channels or one
    /// per channel, both or neither; without them, call <see cref="Adapt"/> (or load weights) before use.
    /// </summary>
    public Normalization(IReadOnlyList<double>? mean = null, IReadOnlyList<double>? variance = null, bool invert = false,
        string? name = null)
        : base(name)
    {
        if ((mean is null) != (variance is null))
        {
            throw new ArgumentException(
                "When setting values directly, both `mean` and `variance` must be set. " +
                $"Received: mean={Describe(mean)} and variance={Describe(variance)}", nameof(mean));
        }
        if (mean is not null && (mean.Count != variance!.Count || mean.Count == 0))
        {
            throw new ArgumentException(
                "When setting values directly, `mean` and `variance` must have the same, non-zero length. " +
                $"Received: mean={Describe(mean)} and variance={Describe(variance)}", nameof(mean));
        }
        if (mean is not null && (mean.Any(v => !double.IsFinite(v)) || variance!.Any(v => !(v >= 0) || double.IsInfinity(v))))
        {
            throw new ArgumentException(
                $"Invalid value for argument `mean` or `variance`. Expected finite means and variances >= 0. Received: " +
                $"mean={Describe(mean)} " +
                $"and variance={Describe(variance)}", nameof(mean));
        }
        _givenMean = mean?.ToArray();
        _givenVariance = variance?.ToArray();
        Invert = invert;
    }

    /// <summary>True to de-normalise: x * max(sqrt(variance), 1e-7) + mean.</summary>
    public bool Invert { get; }

    /// <summary>Whether the statistics come from the config rather than from weights.</summary>
    public bool HasGivenStatistics => _givenMean is not null;

    /// <summary>The per-channel mean in use.</summary>
    public Tensor Mean => _mean ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <summary>The per-channel variance in use.</summary>
    public Tensor Variance => _variance ?? throw new InvalidOperationException($"Layer \"{Name}\" is not built yet.");

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (_givenMean is { Length: > 1 } given && given.Length != inputShape.Channels)
        {
            throw new ArgumentException(
                $"Layer \"{Name}\" has {given.Length} means, one per channel, but its input {inputShape} has " +
                $"{inputShape.Channels} channels.",
                nameof(inputShape));
        }
        return inputShape;
    }

    /// <inheritdoc />
    protected internal override long WeightCount(Shape inputShape) => HasGivenStatistics ? 0 : checked(2L * inputShape.Channels + 1);

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        var channels = inputShape.Channels;
        if (_givenMean is { } mean)
        {
            // Given statistics are settings, not weights (Keras counts no parameters for them).
            _mean = PerChannel(mean, channels);
            _variance = PerChannel(_givenVariance!, channels);
            return;
        }
        _mean = zeros(channels);
        _variance = ones(channels);
        _count = tensor(0L);
        register_buffer("mean", _mean);
        register_buffer("variance", _variance);
        register_buffer("count", _count);
    }

    /// <summary>
    /// Keras' <c>adapt</c>: the per-channel mean and (population) variance of <paramref name="data"/> (N x C x H x W, or
    /// N x C for vectors) become the layer's weights. The layer must be built (added to a model) first.
    /// </summary>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (HasGivenStatistics)
        {
            throw new InvalidOperationException($"Layer \"{Name}\" was given its mean and variance; adapt a Normalization created " +
                $"without them.");
        }
        var channels = Mean.shape[0];
        if (data.dim() < 2 || data.shape[1] != channels || data.shape[0] == 0)
        {
            throw new ArgumentException(
                $"Layer \"{Name}\" adapts to N x {channels} x ... data; received ({string.Join(", ", data.shape)}).", nameof(data));
        }
        using var scope = NewDisposeScope();
        var reduce = new long[] { 0 }.Concat(Enumerable.Range(2, (int)data.dim() - 2).Select(d => (long)d)).ToArray();
        // In the data's float32, as CnnLab's standardisation always computed it, so a model with this layer first
        // computes exactly what training on standardised data computed.
        var (variance, mean) = data.var_mean(reduce, unbiased: false);
        using (no_grad())
        {
            Mean.copy_(mean);
            Variance.copy_(variance);
            _count!.fill_(data.numel() / channels);
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var shape = new long[] { 1, Mean.shape[0] }.Concat(Enumerable.Repeat(1L, (int)input.dim() - 2)).ToArray();
        var mean = Mean.to(input.device).reshape(shape);
        var deviation = Variance.to(input.device).sqrt().clamp_min(Epsilon).reshape(shape);
        var output = Invert ? input.mul(deviation).add_(mean) : input.sub(mean).div_(deviation);
        return output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["axis"] = -1;
        config["invert"] = Invert;
        config["mean"] = _givenMean is null ? null : new JsonArray(_givenMean.Select(v => (JsonNode?)v).ToArray());
        config["variance"] = _givenVariance is null ? null : new JsonArray(_givenVariance.Select(v => (JsonNode?)v).ToArray());
    }

    /// <summary>The layer from its Keras config: the channel axis only; mean and variance null, one number or a list each.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Has("axis") && !IsChannelAxis(config.Json("axis")))
        {
            throw new ArgumentException(
                $"Invalid value for argument `axis`. CnnLab normalises over the channel axis only (-1). Received: " +
                $"axis={JsonFields.Describe(config.Json("axis"))}",
                "axis");
        }
        return new Normalization(Values(config, "mean"), Values(config, "variance"), config.Bool("invert", false), config.Name);
    }

    internal override IReadOnlyList<string> KerasWeightRoles => HasGivenStatistics ? Array.Empty<string>()
        : new[] { "mean", "variance", "count" };

    internal override void ImportKerasWeights(KerasWeights weights)
    {
        var channels = InputShape!.Channels;
        weights.Set("mean", weights.InCnnLabOrder(weights.Get("mean", channels)));
        weights.Set("variance", weights.InCnnLabOrder(weights.Get("variance", channels)));
        weights.Set("count", weights.Get("count").to(ScalarType.Int64));
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        var shape = new long[] { Mean.shape[0] }.Concat(Enumerable.Repeat(1L, InputShape!.Rank - 1)).ToArray();
        using var mean = Mean.reshape(shape);
        using var deviation = Variance.sqrt().clamp_min(Epsilon).reshape(shape);
        var (first, second) = Invert ? ("Mul", "Add") : ("Sub", "Div");
        var (firstValue, secondValue) = Invert ? (deviation, mean) : (mean, deviation);
        graph.Node(first, $"{Name}/{first.ToLowerInvariant()}",
            new() { graph.Current, graph.Weight($"{Name}.{first.ToLowerInvariant()}", firstValue) });
        graph.Node(second, $"{Name}/{second.ToLowerInvariant()}",
            new() { graph.Current, graph.Weight($"{Name}.{second.ToLowerInvariant()}", secondValue) });
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        // A BatchNorm without affine weights and epsilon 0 is (x - running_mean) / sqrt(running_var): Normalization with
        // running_var = max(sqrt(variance), 1e-7)^2; inverted, (x - (-mean / s)) / sqrt(1 / s^2) = x * s + mean.
        using var deviation = Variance.sqrt().clamp_min(Epsilon);
        using var mean = Invert ? Mean.neg().div(deviation) : Mean.alias();
        using var variance = Invert ? deviation.square().reciprocal() : deviation.square();
        using var batches = tensor(0L);
        var kind = InputShape!.Rank == 1 ? "BatchNorm1d" : "BatchNorm2d";
        module.Comment($"{Name} (Normalization{(Invert ? ", inverted" : "")}) as a BatchNorm without affine weights");
        module.Emit(PyTorchModule.F($"nn.{kind}({Mean.shape[0]}, eps=0.0, affine=False)"),
            ("running_mean", mean), ("running_var", variance), ("num_batches_tracked", batches));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && HasGivenStatistics)
        {
            // Given statistics are not registered with the module, so it would not release them.
            _mean?.Dispose();
            _variance?.Dispose();
        }
        base.Dispose(disposing);
    }

    private static bool IsChannelAxis(JsonNode? axis) =>
        JsonFields.IntOf(axis) is -1 || axis is JsonArray { Count: 1 } a && JsonFields.IntOf(a[0]) is -1;

    private static double[]? Values(LayerConfigReader config, string key)
    {
        var node = config.Json(key);
        return node switch
        {
            null => null,
            JsonArray array => array.Select((v, i) => JsonFields.NumberOf(v) ?? throw new ArgumentException(
                $"Invalid value for argument `{key}`: item {i} is {JsonFields.Describe(v)}; expected a number.", key)).ToArray(),
            _ => new[] { JsonFields.NumberOf(node) ?? throw new ArgumentException(
                $"Invalid value for argument `{key}`: {JsonFields.Describe(node)}; expected null, a number or a list of numbers.", key) },
        };
    }

    private static Tensor PerChannel(double[] values, int channels) =>
        values.Length == 1 ? full(channels, (float)values[0]) : tensor(values.Select(v => (float)v).ToArray());

    private static string Describe(IReadOnlyList<double>? values) =>
        values is null ? "None" : "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
