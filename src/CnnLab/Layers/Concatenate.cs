using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' Concatenate: its inputs joined along <see cref="Axis"/> (-1, the channels, by default: Inception-style
/// branches); every other axis must match.
/// </summary>
public sealed class Concatenate : Merge
{
    /// <summary>Creates the layer; <paramref name="axis"/> counts as Keras does, with the batch as axis 0 (-1: the last).</summary>
    public Concatenate(int axis = -1, string? name = null)
        : base(name)
    {
        if (axis == 0)
        {
            throw new ArgumentException("Invalid value for argument `axis`. Concatenate cannot join along the batch axis (0). " +
                "Received: axis=0", nameof(axis));
        }
        Axis = axis;
    }

    /// <summary>The axis joined along, Keras' count (batch = 0, -1 = last).</summary>
    public int Axis { get; }

    /// <inheritdoc />
    protected override Shape MergedShape(IReadOnlyList<Shape> inputShapes)
    {
        var rank = inputShapes[0].Rank;
        var axis = ShapeAxis(rank);
        var first = inputShapes[0].Dimensions;
        long joined = 0;
        foreach (var shape in inputShapes)
        {
            if (shape.Rank != rank || Enumerable.Range(0, rank).Any(d => d != axis && shape.Dimensions[d] != first[d]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Layer \"{Name}\" (Concatenate) requires inputs with matching shapes except for the concatenation axis " +
                    $"{Axis}. Received: input_shape={string.Join(", ", inputShapes.Select(s => s.ToString()).Distinct().Take(3))}"));
            }
            joined += shape.Dimensions[axis];
        }
        if (joined > int.MaxValue)
        {
            throw new ArgumentException($"Layer \"{Name}\" (Concatenate) would make an axis of {joined:N0} entries.");
        }
        var dims = first.ToArray();
        dims[axis] = (int)joined;
        return new Shape(dims);
    }

    /// <inheritdoc />
    internal override Tensor Combine(IReadOnlyList<Tensor> inputs) => cat(inputs.ToArray(), TorchDim(InputShape!.Rank));

    /// <summary>The axis in CnnLab's shapes (height, width, channels), 0-based, for inputs of <paramref name="rank"/>.</summary>
    internal int ShapeAxis(int rank)
    {
        var axis = Axis < 0 ? Axis + rank + 1 : Axis;
        return axis >= 1 && axis <= rank ? axis - 1 : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"Layer \"{Name}\" (Concatenate): axis {Axis} is outside inputs of {rank + 1} axes (batch included)."));
    }

    /// <summary>The axis in the tensors: images are N x C x H x W, so the channels (Keras' last axis) are dimension 1.</summary>
    internal int TorchDim(int rank)
    {
        var axis = ShapeAxis(rank);
        return rank == 3 ? (axis == 2 ? 1 : axis + 2) : axis + 1;
    }

    /// <inheritdoc />
    internal override void ToOnnx(Formats.Onnx.OnnxGraph graph, IReadOnlyList<string> inputs) =>
        graph.Node("Concat", Name, inputs.ToList(), new() { Formats.Onnx.OnnxGraph.Int("axis", TorchDim(InputShape!.Rank)) });

    /// <inheritdoc />
    internal override string ToPyTorch(IReadOnlyList<string> inputs) =>
        $"torch.cat([{string.Join(", ", inputs)}], dim={TorchDim(InputShape!.Rank)})";

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config) => config["axis"] = Axis;

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Concatenate(config.Int("axis", -1), config.Name);
    }
}
