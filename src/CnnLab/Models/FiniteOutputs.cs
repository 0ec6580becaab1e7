using System.Globalization;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// A model whose weights hold NaN (a diverged training, a damaged file) outputs NaN, and top-k or argmax still picks
/// a class from NaN: "Bag NaN" with exit code 0. Outputs are checked before anything reports them.
/// </summary>
public static class FiniteOutputs
{
    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> starting with <paramref name="modelSource"/> when a row of
    /// <paramref name="outputs"/> (one per sample) holds NaN or infinity, naming the first such sample with
    /// <paramref name="sampleName"/> and counting the model's weights that are not finite.
    /// </summary>
    public static void Check(IImageClassifier model, Tensor outputs, string modelSource, Func<long, string> sampleName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(sampleName);
        using var scope = NewDisposeScope();
        var bad = outputs.isfinite().logical_not().flatten(1).any(1);
        var count = bad.sum().item<long>();
        if (count == 0)
        {
            return;
        }
        var first = bad.nonzero()[0, 0].item<long>();
        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
            $"{modelSource}: the model's output is not finite (NaN or infinity) for {count:N0} of {bad.shape[0]:N0} input(s), " +
            $"the first being {sampleName(first)}; {model.NonFiniteCause()}"));
    }
}
