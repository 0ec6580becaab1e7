using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' SpatialDropout2D: in training, drops whole feature maps (every pixel of a channel together) with
/// probability <c>rate</c> and scales the kept ones by 1 / (1 - rate); neighbouring pixels are
/// strongly correlated, so dropping single pixels (Dropout) barely regularizes convolutions.
/// </summary>
public sealed class SpatialDropout2D : RandomLayer
{
    /// <summary>Creates the layer; the rate must be in [0, 1).</summary>
    public SpatialDropout2D(double rate, string? name = null)
        : base(name) => Rate = RequireRate(rate, nameof(rate));

    /// <summary>The fraction of channels dropped.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) =>
        inputShape.IsImage ? inputShape
            : throw IncompatibleRank(inputShape, 3, "SpatialDropout2D expects (height, width, channels) images.");

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!IsTraining || Rate == 0)
        {
            return input.alias();
        }
        using var keep = Bernoulli(new[] { input.shape[0], input.shape[1], 1L, 1L }, 1 - Rate, input);
        using var kept = input.mul(keep);
        return kept.div(1 - Rate);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["rate"] = Rate;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new SpatialDropout2D(config.Number("rate"), config.Name);
    }

    /// <inheritdoc />
    // Active in training only: the identity at inference, so nothing is written.
    internal override void ToOnnx(OnnxGraph graph)
    {
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) => module.Emit(PyTorchModule.F($"nn.Dropout2d({PyTorchModule.Py(Rate)})"));
}
