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

    /// <summary>Mean loss over the batch from logits (pre-softmax scores).</summary>
    public static Tensor FromLogits(Tensor logits, Tensor labels) => F.cross_entropy(logits, labels);

    /// <summary>Mean loss over the batch from probabilities.</summary>
    public static Tensor FromProbabilities(Tensor probabilities, Tensor labels)
    {
        using var clipped = probabilities.clamp(Epsilon, 1 - Epsilon);
        using var logs = clipped.log();
        return F.nll_loss(logs, labels);
    }
}
