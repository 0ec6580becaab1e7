using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Training;

/// <summary>
/// Keras' sparse_categorical_crossentropy for integer labels. When the model ends in a softmax the loss is
/// computed from the logits before it (log-softmax), as Keras does, so it stays finite for confident
/// predictions; otherwise from probabilities clipped to [1e-7, 1 - 1e-7], Keras' epsilon.
/// </summary>
public static class SparseCategoricalCrossentropy
{
    /// <summary>Keras' name of this loss.</summary>
    public const string Name = "sparse_categorical_crossentropy";

    private const double Epsilon = 1e-7;

    /// <summary>
    /// Mean loss over the batch from logits (pre-softmax scores). With label smoothing s the target is
    /// (1 - s) * one_hot + s / classes, Keras' and PyTorch's definition.
    /// </summary>
    public static Tensor FromLogits(Tensor logits, Tensor labels, double labelSmoothing = 0) =>
        F.cross_entropy(logits, labels, label_smoothing: labelSmoothing);

    /// <summary>Mean loss over the batch from probabilities, with the same label smoothing.</summary>
    public static Tensor FromProbabilities(Tensor probabilities, Tensor labels, double labelSmoothing = 0)
    {
        using var clipped = probabilities.clamp(Epsilon, 1 - Epsilon);
        using var logs = clipped.log();
        var hard = F.nll_loss(logs, labels);
        if (labelSmoothing == 0)
        {
            return hard;
        }
        using (hard)
        {
            using var mean = logs.mean(new long[] { 1 });
            using var uniform = mean.mean().neg();
            using var kept = hard.mul(1 - labelSmoothing);
            using var spread = uniform.mul(labelSmoothing);
            return kept.add(spread);
        }
    }

    /// <summary>Checks a label smoothing factor: in [0, 1].</summary>
    public static double RequireLabelSmoothing(double value) => value >= 0 && value <= 1
        ? value
        : throw new ArgumentException(
            $"Invalid value for argument `labelSmoothing`. Expected a value in [0, 1]. Received: " +
            $"labelSmoothing={value.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "labelSmoothing");
}
