using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' ReLU layer: max(x, 0), optionally capped at <see cref="MaxValue"/>.</summary>
public sealed class ReLU : Layer
{
    /// <summary>Creates the layer; a null max value means no cap.</summary>
    public ReLU(double? maxValue = null, string? name = null)
        : base(name)
    {
        if (maxValue is < 0 || (maxValue is double m && double.IsNaN(m)))
        {
            throw new ArgumentException(
                $"Invalid value for argument `maxValue`. Expected a value >= 0 or null. Received: maxValue={maxValue}", nameof(maxValue));
        }
        MaxValue = maxValue;
    }

    /// <summary>The cap, or null.</summary>
    public double? MaxValue { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => MaxValue is double max
        ? (MayOverwriteInput ? input.clamp_(0, max) : input.clamp(0, max))
        : (MayOverwriteInput ? input.relu_() : F.relu(input));

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["max_value"] = MaxValue;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ReLU(config.OptionalNumber("max_value"), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        if (MaxValue is double max)
        {
            graph.Node("Clip", Name, new() { graph.Current, graph.Scalar($"{Name}.min", 0), graph.Scalar($"{Name}.max", (float)max) });
        }
        else
        {
            graph.Unary("Relu", Name);
        }
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) =>
        module.Emit(MaxValue is double max ? PyTorchModule.F($"nn.Hardtanh(0.0, {PyTorchModule.Py(max)})") : "nn.ReLU()");

    internal override IEnumerable<string> KerasIgnoredKeys => base.KerasIgnoredKeys.Concat(new[] { "negative_slope", "threshold" });

    internal override void CheckKerasConfig(JsonObject config, string at)
    {
        base.CheckKerasConfig(config, at);
        // Keras 2 writes both; CnnLab's ReLU is max(x, 0), capped at max_value.
        RequireKerasDefault(config, at, "negative_slope", n => JsonFields.NumberOf(n) == 0, "a negative slope of 0 (use LeakyReLU)");
        RequireKerasDefault(config, at, "threshold", n => JsonFields.NumberOf(n) == 0, "a threshold of 0");
    }
}
