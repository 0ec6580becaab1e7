using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' GaussianNoise: in training, adds zero-mean normal noise of
/// standard deviation <see cref="Stddev"/>; the identity in inference.</summary>
public sealed class GaussianNoise : RandomLayer
{
    /// <summary>Creates the layer; stddev must be finite and >= 0.</summary>
    public GaussianNoise(double stddev, string? name = null)
        : base(name)
    {
        if (!(stddev >= 0) || double.IsInfinity(stddev))
        {
            throw new ArgumentException(
                $"Invalid value for argument `stddev`. Expected a finite value >= 0. Received: " +
                $"stddev={stddev.ToString(CultureInfo.InvariantCulture)}", nameof(stddev));
        }
        Stddev = stddev;
    }

    /// <summary>Standard deviation of the noise.</summary>
    public double Stddev { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!IsTraining || Stddev == 0)
        {
            return input.alias();
        }
        using var noise = Normal(input.shape, input);
        using var scaled = noise.mul(Stddev);
        return input.add(scaled);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["stddev"] = Stddev;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new GaussianNoise(config.Number("stddev"), config.Name);
    }

    /// <inheritdoc />
    // Active in training only: the identity at inference, so nothing is written.
    internal override void ToOnnx(OnnxGraph graph)
    {
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) =>
        module.Comment($"{Name} ({TypeName}): active in training only, the identity at inference; left out");
}
