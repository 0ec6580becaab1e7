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
    public static void Check(Sequential model, Tensor outputs, string modelSource, Func<long, string> sampleName)
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
        var weights = model.state_dict().Values.Where(t => t.is_floating_point()).ToList();
        var total = weights.Sum(t => t.numel());
        var nonFinite = weights.Sum(t => t.isfinite().logical_not().sum().item<long>());
        var cause = nonFinite > 0
            ? $"{nonFinite:N0} of its {total:N0} weights are NaN or infinite. Its training diverged or the file is damaged: retrain it (a lower learning rate), or use an earlier checkpoint."
            : "its weights are all finite, so the input overflows it. Check that the images are scaled as the training data were.";
        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
            $"{modelSource}: the model's output is not finite (NaN or infinity) for {count:N0} of {bad.shape[0]:N0} input(s), the first being {sampleName(first)}; {cause}"));
    }
}
