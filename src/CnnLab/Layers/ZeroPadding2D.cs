using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' ZeroPadding2D: rows of zeros above and below, columns left and right; padding 1 by default.</summary>
public sealed class ZeroPadding2D : Layer
{
    /// <summary>Creates the layer; every amount must be 0 or more.</summary>
    public ZeroPadding2D(int top = 1, int bottom = 1, int left = 1, int right = 1, string? name = null)
        : base(name)
    {
        if (top < 0 || bottom < 0 || left < 0 || right < 0 || Math.Max(Math.Max(top, bottom), Math.Max(left, right)) > 1 << 16)
        {
            throw new ArgumentException(
                $"Invalid value for argument `padding`. Expected amounts from 0 to 65536. Received: padding=(({top}, {bottom}), " +
                $"({left}, {right}))", "padding");
        }
        (Top, Bottom, Left, Right) = (top, bottom, left, right);
    }

    /// <summary>Rows added above.</summary>
    public int Top { get; }

    /// <summary>Rows added below.</summary>
    public int Bottom { get; }

    /// <summary>Columns added on the left.</summary>
    public int Left { get; }

    /// <summary>Columns added on the right.</summary>
    public int Right { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return inputShape.Rank == 3 ? Shape.Image(inputShape.Height + Top + Bottom, inputShape.Width + Left + Right, inputShape.Channels)
            : throw new ArgumentException($"Layer \"{Name}\" (ZeroPadding2D) takes an image (height, width, channels); " +
                $"received input shape {inputShape}.");
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => F.pad(input, new long[] { Left, Right, Top, Bottom });

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["padding"] = new JsonArray(new JsonArray(Top, Bottom), new JsonArray(Left, Right));
    }

    /// <summary>The layer from its Keras config: padding as n, (rows, columns) or ((top, bottom), (left, right)).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = config.Json("padding");
        if (node is null)
        {
            return new ZeroPadding2D(name: config.Name);
        }
        if (JsonFields.IntOf(node) is int all)
        {
            return new ZeroPadding2D(all, all, all, all, config.Name);
        }
        if (node is JsonArray { Count: 2 } pair)
        {
            if (JsonFields.IntOf(pair[0]) is int rows && JsonFields.IntOf(pair[1]) is int columns)
            {
                return new ZeroPadding2D(rows, rows, columns, columns, config.Name);
            }
            if (pair[0] is JsonArray { Count: 2 } vertical && pair[1] is JsonArray { Count: 2 } horizontal
                && JsonFields.IntOf(vertical[0]) is int top && JsonFields.IntOf(vertical[1]) is int bottom
                && JsonFields.IntOf(horizontal[0]) is int left && JsonFields.IntOf(horizontal[1]) is int right)
            {
                return new ZeroPadding2D(top, bottom, left, right, config.Name);
            }
        }
        throw new InvalidDataException($"{config.At}: \"padding\" is {JsonFields.Describe(node)}; expected n, [rows, columns] or [[top, " +
            $"bottom], [left, right]].");
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph) =>
        graph.Node("Pad", Name, new() { graph.Current, graph.Int64s($"{Name}.pads", 0, 0, Top, Left, 0, 0, Bottom, Right) });

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) =>
        module.Emit(PyTorchModule.F($"nn.ZeroPad2d(({Left}, {Right}, {Top}, {Bottom}))"));
}
