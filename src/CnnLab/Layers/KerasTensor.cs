using CnnLab.Core;

namespace CnnLab.Layers;

/// <summary>
/// A symbolic tensor of a functional model, as Keras' <c>KerasTensor</c>: the shape of one sample, and the layer call
/// that produces it (or the model input it is). No values: <c>new Model(input, output)</c> turns the calls that lead
/// from the input to the output into a graph of layers.
/// </summary>
public sealed class KerasTensor
{
    private static long _created;
    internal KerasTensor(Shape shape, Layer? layer, IReadOnlyList<KerasTensor> inbound, string? inputName = null)
    {
        Shape = shape;
        Layer = layer;
        Inbound = inbound;
        InputName = inputName;
    }

    /// <summary>When the tensor was made, counted over the process: a tensor is always made after those it is computed from,
    /// so this order runs every layer after its inputs, in the order the code called them.</summary>
    internal long Sequence { get; } = Interlocked.Increment(ref _created);

    /// <summary>The shape of one sample, (height, width, channels) for images.</summary>
    public Shape Shape { get; }

    /// <summary>The layer whose call produced the tensor; null for a model input.</summary>
    public Layer? Layer { get; }

    /// <summary>The tensors the layer was called on, in order; empty for a model input.</summary>
    public IReadOnlyList<KerasTensor> Inbound { get; }

    /// <summary>A model input's name (its InputLayer's, "input_1" unless given); null for a layer's output.</summary>
    public string? InputName { get; }

    /// <summary>Whether this is a model input (Keras' <c>keras.Input</c>).</summary>
    public bool IsInput => Layer is null;

    /// <inheritdoc />
    public override string ToString() => $"<KerasTensor shape={Shape}, name={InputName ?? Layer!.Name}>";
}
