using System.Globalization;

namespace CnnLab.Core;

/// <summary>
/// The largest model CnnLab builds. A config is a few numbers, but they multiply out: two Conv2D layers of 50,000
/// filters ask for 22.5 billion weights, and libtorch crashed the process trying to allocate them. Counts implied
/// by a config are checked against these limits before anything is allocated.
/// </summary>
public static class ModelLimits
{
    /// <summary>Values in one sample's shape (an input or a layer's output): 2^28, 1 GiB of float32 per sample.</summary>
    public const long MaxSampleElements = 1L << 28;

    /// <summary>Layers in a model: 10,000, as many as a study file's layer list may hold.</summary>
    public const int MaxLayers = 10_000;

    /// <summary>The largest model config (JSON) read: 64 MiB.</summary>
    public const long MaxConfigBytes = 64L << 20;

    /// <summary>
    /// The weights a model file's config may imply when its tensors hold <paramref name="valuesHeld"/> values: twice that
    /// plus 2^20. The slack leaves a small mismatch to the tensor check, whose message names the tensor, and still bounds
    /// what a config can make a load allocate by the file's size (a 1 KB config must not allocate gigabytes).
    /// </summary>
    public static long FileWeightBudget(long valuesHeld) => 2 * valuesHeld + (1L << 20);

    /// <summary>Weights in a model: 2^30, 4 GiB of float32 (16 GiB to train with Adam: weights, gradients, two moments).</summary>
    public const long MaxParameters = 1L << 30;

    /// <summary>The number of values in a shape with these dimensions, or null when it exceeds <see cref="MaxSampleElements"/>.</summary>
    public static long? SampleElements(IEnumerable<int> dimensions)
    {
        long product = 1;
        foreach (var d in dimensions)
        {
            // Every factor is at most int.MaxValue and the product so far at most 2^28, so this cannot overflow.
            product *= d;
            if (product > MaxSampleElements)
            {
                return null;
            }
        }
        return product;
    }

    /// <summary>The error for a model whose weights would pass
    /// <see cref="MaxParameters"/> when <paramref name="layer"/> is added.</summary>
    internal static ArgumentException TooManyParameters(string layer, Shape inputShape, long layerWeights, long modelWeights) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"Layer \"{layer}\" on input {inputShape} needs {layerWeights:N0} weights, which would make the model " +
            $"{modelWeights + layerWeights:N0} weights " +
            $"({(modelWeights + layerWeights) * 4.0 / (1L << 30):F1} GiB of float32), more than the limit of {MaxParameters:N0} (4 GiB). " +
            $"Use fewer filters or units."));

    /// <summary>
    /// Bytes one training step keeps alive for a batch: every layer's output and its gradient, in float32. The
    /// optimizer's state is not counted; it is a few times the weights, which <see cref="MaxParameters"/> bounds.
    /// </summary>
    public static long TrainingActivationBytes(IEnumerable<Shape> layerOutputs, int batchSize) =>
        layerOutputs.Sum(s => s.Size) * batchSize * 4 * 2;
}
