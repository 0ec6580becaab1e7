using System.Globalization;
using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' merge layers (<c>keras.layers.Add</c>, <c>Concatenate</c>, ...): called on a list of 2 or more tensors, they
/// give one. No weights. Used in functional models (<c>Model</c>), never in a <c>Sequential</c> chain.
/// </summary>
public abstract class Merge : Layer
{
    /// <summary>The most inputs one merge takes: far beyond any real model, low enough that a hostile config stays cheap.</summary>
    public const int MaxInputs = 1_000;

    /// <summary>Creates the layer.</summary>
    protected Merge(string? name)
        : base(name)
    {
    }

    /// <summary>Refuses one input shape: a merge takes a list of two or more (a Sequential chain has only one).</summary>
    public override Shape ComputeOutputShape(Shape inputShape) => throw new ArgumentException(SequentialMessage);

    /// <summary>Keras' output shape for these inputs; an error naming the shapes when they cannot be merged.</summary>
    public Shape ComputeOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Count is < 2 or > MaxInputs)
        {
            throw InputCount(inputShapes.Count);
        }
        return MergedShape(inputShapes);
    }

    /// <summary>The output shape of two or more inputs (their count already checked).</summary>
    protected abstract Shape MergedShape(IReadOnlyList<Shape> inputShapes);

    /// <summary>Writes the merge's ONNX node reading the values named <paramref name="inputs"/>.</summary>
    internal abstract void ToOnnx(Formats.Onnx.OnnxGraph graph, IReadOnlyList<string> inputs);

    /// <inheritdoc />
    internal override void ToOnnx(Formats.Onnx.OnnxGraph graph) => throw new InvalidOperationException(SequentialMessage);

    /// <summary>The merge as a Python expression over the variables <paramref name="inputs"/> (a generated forward).</summary>
    internal abstract string ToPyTorch(IReadOnlyList<string> inputs);

    /// <inheritdoc />
    internal override void ToPyTorch(Formats.PyTorch.PyTorchModule module) => throw new InvalidOperationException(SequentialMessage);

    /// <summary>The merged tensor of two or more inputs (N x C x H x W for images).</summary>
    internal abstract Tensor Combine(IReadOnlyList<Tensor> inputs);

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => throw new InvalidOperationException(SequentialMessage);

    private string SequentialMessage =>
        $"Layer \"{Name}\" ({TypeName}) merges a list of 2 or more inputs; it cannot follow a single layer in a Sequential model. " +
        "Build the model with the functional API: new Model(input, output).";

    /// <summary>The element-wise sum of the inputs in a new tensor (Add's result, Average's before the division).</summary>
    protected static Tensor Sum(IReadOnlyList<Tensor> inputs)
    {
        var sum = inputs[0].add(inputs[1]);
        for (var i = 2; i < inputs.Count; i++)
        {
            sum.add_(inputs[i]);
        }
        return sum;
    }

    /// <summary>The same shape for every input (Add, Multiply, Average), as Keras requires without broadcasting.</summary>
    protected Shape SameShape(IReadOnlyList<Shape> inputShapes)
    {
        var first = inputShapes[0];
        if (inputShapes.Any(s => !s.Dimensions.SequenceEqual(first.Dimensions)))
        {
            throw new ArgumentException($"Layer \"{Name}\" ({TypeName}): inputs have incompatible shapes. Received shapes " +
                $"{string.Join(" and ", inputShapes.Select(s => s.ToString()).Distinct().Take(3))}. Every input of {TypeName} " +
                "must have the same shape.");
        }
        return first;
    }

    private ArgumentException InputCount(int count) => new(string.Create(CultureInfo.InvariantCulture,
        $"Layer \"{Name}\" ({TypeName}) should be called on a list of 2 to {MaxInputs:N0} inputs. Received: {count} input(s)."));
}
