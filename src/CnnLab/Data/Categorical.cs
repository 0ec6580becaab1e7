using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>Keras' <c>keras.utils.to_categorical</c>: integer class labels as one-hot rows, for categorical_crossentropy.</summary>
public static class Categorical
{
    /// <summary>
    /// One row per label with a 1 at its class: (N) Int64 labels to (N, <paramref name="numClasses"/>) Float32. Without
    /// <paramref name="numClasses"/>, the largest label plus one, as Keras does.
    /// </summary>
    public static Tensor ToCategorical(Tensor labels, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"to_categorical takes a 1-d Int64 tensor of class labels; " +
                $"received shape ({string.Join(", ", labels.shape)}) {labels.dtype}.", nameof(labels));
        }
        var count = labels.shape[0];
        var (min, max) = count == 0 ? (0L, -1L) : (labels.min().item<long>(), labels.max().item<long>());
        var classes = numClasses ?? (int)(max + 1);
        if (min < 0 || max >= classes || classes < 1)
        {
            throw new ArgumentException($"Labels must lie in [0, {classes}) for num_classes={classes}; " +
                $"received labels from {min} to {max}.", nameof(numClasses));
        }
        using var scope = NewDisposeScope();
        return nn.functional.one_hot(labels, classes).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
