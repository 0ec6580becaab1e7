using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' Reshape: each sample to <see cref="TargetShape"/> (one entry may be -1), in Keras' element order, which is
/// channels-last: an image is read as (height, width, channels) and a 3-d target is written back as an image. So a
/// Reshape to (n) lists an image's values pixel by pixel, as in Keras (CnnLab's Flatten lists them channel by channel).
/// </summary>
public sealed class Reshape : Layer
{
    /// <summary>Creates the layer; at most one entry may be -1 (inferred), the others must be positive.</summary>
    public Reshape(int[] targetShape, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Length is 0 or > 3 || targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d is 0 or < -1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `target_shape`. Expected 1 to 3 positive sizes, one of which may be -1. Received: " +
                $"target_shape=({string.Join(", ", targetShape)})",
                nameof(targetShape));
        }
        TargetShape = (int[])targetShape.Clone();
    }

    /// <summary>The shape of each sample, Keras order; -1 for the size inferred.</summary>
    public IReadOnlyList<int> TargetShape { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var known = TargetShape.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
        var dims = TargetShape.Select(d => d == -1 ? inputShape.Size / known : d).ToArray();
        if (dims.Aggregate(1L, (a, b) => a * b) != inputShape.Size || dims.Any(d => d < 1))
        {
            throw new ArgumentException(
                $"Layer \"{Name}\" cannot reshape input {inputShape} ({inputShape.Size} values) to ({string.Join(", ", TargetShape)}): " +
                $"the sizes must multiply to the same count.");
        }
        return new Shape(dims.Select(d => checked((int)d)).ToArray());
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var channelsLast = input.dim() == 4 ? input.permute(0, 2, 3, 1) : input;
        var target = new[] { input.shape[0] }.Concat(OutputShape!.Dimensions.Select(d => (long)d)).ToArray();
        var reshaped = channelsLast.reshape(target);
        var result = reshaped.dim() == 4 ? reshaped.permute(0, 3, 1, 2).contiguous() : reshaped.contiguous();
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["target_shape"] = new JsonArray(TargetShape.Select(d => (JsonNode)d).ToArray());
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = config.Json("target_shape") as JsonArray
            ?? throw new InvalidDataException($"{config.At}: \"target_shape\" is missing or not a list; expected a list of sizes such " +
                $"as [7, 7, 64].");
        var dims = node.Select(CnnLab.Formats.Json.JsonFields.IntOf).ToArray();
        return dims.All(d => d is not null) ? new Reshape(dims.Select(d => d!.Value).ToArray(), config.Name)
            : throw new InvalidDataException($"{config.At}: \"target_shape\" is {node.ToJsonString()}; expected whole numbers.");
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        // Keras' element order is channels-last: an image is read pixel by pixel, and a 3-d target is an image again.
        if (InputShape!.Rank == 3)
        {
            graph.Unary("Transpose", Name + "/to_nhwc", OnnxGraph.Ints("perm", 0, 2, 3, 1));
        }
        var target = OutputShape!;
        graph.Node("Reshape", Name, new() { graph.Current,
            graph.Int64s($"{Name}.shape", new long[] { 0 }.Concat(target.Dimensions.Select(d => (long)d)).ToArray()) });
        if (target.Rank == 3)
        {
            graph.Unary("Transpose", Name + "/to_nchw", OnnxGraph.Ints("perm", 0, 3, 1, 2));
        }
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        module.NeedsKerasReshape = true;
        module.Emit(PyTorchModule.F($"KerasReshape(({string.Join(", ", OutputShape!.Dimensions)},))"));
    }
}
