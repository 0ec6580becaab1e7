using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Keras' categorical_crossentropy for one-hot (or soft) labels of shape (N, classes): from the logits before a final
/// softmax when the model has one, as Keras does; otherwise from probabilities clipped to [1e-7, 1 - 1e-7]. Label
/// smoothing s makes the target (1 - s) * y + s / classes.
/// </summary>
public static class CategoricalCrossentropy
{
    /// <summary>Keras' name of this loss.</summary>
    public const string Name = "categorical_crossentropy";

    private const double Epsilon = 1e-7;

    /// <summary>Mean loss over the batch from logits.</summary>
    public static Tensor FromLogits(Tensor logits, Tensor targets, double labelSmoothing = 0)
    {
        using var logs = logits.log_softmax(1);
        return Mean(logs, targets, labelSmoothing);
    }

    /// <summary>Mean loss over the batch from probabilities.</summary>
    public static Tensor FromProbabilities(Tensor probabilities, Tensor targets, double labelSmoothing = 0)
    {
        using var clipped = probabilities.clamp(Epsilon, 1 - Epsilon);
        using var logs = clipped.log();
        return Mean(logs, targets, labelSmoothing);
    }

    private static Tensor Mean(Tensor logs, Tensor targets, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        var smoothed = labelSmoothing == 0 ? targets : targets.mul(1 - labelSmoothing).add(labelSmoothing / targets.shape[1]);
        return logs.mul(smoothed).sum(1).mean().neg().MoveToOuterDisposeScope();
    }
}
