using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Calling a layer on symbolic tensors, as Keras' functional API does: <c>y = Conv2D(...)(x)</c>.</summary>
public abstract partial class Layer
{
    /// <summary>Whether the layer was called on a <see cref="KerasTensor"/> (a layer is called once: no shared layers).</summary>
    public bool IsCalled { get; private set; }

    /// <summary>
    /// Keras' <c>layer(x)</c>: the symbolic output of this layer on <paramref name="input"/>. The output shape is worked
    /// out now, so a shape that cannot work fails here, naming the layer; weights are made by the <c>Model</c>.
    /// </summary>
    public KerasTensor Call(KerasTensor input) => Call(new[] { input ?? throw new ArgumentNullException(nameof(input)) });

    /// <summary>Keras' <c>layer([a, b])</c> for layers that merge several inputs (Add, Concatenate, ...).</summary>
    public KerasTensor Call(params KerasTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Any(i => i is null))
        {
            throw new ArgumentNullException(nameof(inputs), $"Layer \"{Name}\" was called with a null input.");
        }
        if (IsCalled || IsBuilt)
        {
            throw new InvalidOperationException($"Layer \"{Name}\" ({TypeName}) is already used in a model. CnnLab has no shared " +
                "layers: create another layer with the same settings for each place it is used.");
        }
        var shapes = inputs.Select(i => i.Shape).ToList();
        var output = OutputShapeOf(shapes);
        IsCalled = true;
        return new KerasTensor(output, this, inputs.ToArray());
    }

    /// <summary>The output shape for these inputs: one input, or a merge layer's several.</summary>
    internal Shape OutputShapeOf(IReadOnlyList<Shape> shapes)
    {
        if (this is Merge merge)
        {
            return merge.ComputeOutputShape(shapes);
        }
        return shapes.Count == 1 ? ComputeOutputShape(shapes[0])
            : throw new ArgumentException($"Layer \"{Name}\" ({TypeName}) takes one input; it was called on {shapes.Count}. " +
                "Merge them first (Add, Concatenate, Multiply or Average).");
    }

    /// <summary>Builds the layer for its inputs' shapes (one, or a merge layer's several).</summary>
    internal void BuildFor(IReadOnlyList<Shape> inputShapes, Generator? generator)
    {
        if (inputShapes.Count == 1 && this is not Merge)
        {
            Build(inputShapes[0], generator);
            return;
        }
        if (IsBuilt)
        {
            throw new InvalidOperationException($"Layer \"{Name}\" is already built. Create a new layer instead of using one twice.");
        }
        var output = OutputShapeOf(inputShapes);
        InputShape = inputShapes[0];
        InputShapes = inputShapes.ToList();
        OutputShape = output;
    }

    /// <summary>The shapes of every input the layer was built for (one but for merge layers); empty before building.</summary>
    public IReadOnlyList<Shape> InputShapes
    {
        get => _inputShapes ?? (InputShape is { } one ? new[] { one } : Array.Empty<Shape>());
        private set => _inputShapes = value;
    }

    private IReadOnlyList<Shape>? _inputShapes;

    /// <summary>The layer on its inputs: one, or a merge layer's several.</summary>
    internal Tensor Forward(IReadOnlyList<Tensor> inputs) => this is Merge merge ? merge.Combine(inputs)
        : inputs.Count == 1 ? forward(inputs[0])
        : throw new InvalidOperationException($"Layer \"{Name}\" takes one input, not {inputs.Count}.");
}
