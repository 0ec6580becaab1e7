using CnnLab.Core;

namespace CnnLab.Layers;

/// <summary>
/// Declares a model's input shape (height, width, channels) as <c>keras.Input(shape=...)</c>; a Sequential
/// records it and builds the following layers, and, as Keras 2 does, does not list it in the summary.
/// </summary>
public sealed class InputLayer
{
    /// <summary>Declares the shape of one sample, Keras order.</summary>
    public InputLayer(params int[] shape)
    {
        Shape = new Shape(shape);
    }

    /// <summary>The declared shape.</summary>
    public Shape Shape { get; }
}
