using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// One weight of a Keras file: the shape it claims, and how to read it. The shape is checked against the layer's before
/// anything is read, so a file cannot make the reader allocate what the layer never asked for.
/// </summary>
/// <param name="Shape">The dataset's dimensions as the file states them.</param>
/// <param name="Read">Reads the values (float32) in that shape.</param>
public sealed record KerasWeight(IReadOnlyList<long> Shape, Func<Tensor> Read);
