using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// The loss a model was compiled with: Keras' sparse or categorical cross-entropy and its label smoothing, computed
/// from logits when the model ends in a softmax (as Keras does, for stability) and from probabilities otherwise.
/// </summary>
public sealed record LossFunction
{
    /// <summary>A loss by Keras' identifier; an unknown one is an error listing the known ones.</summary>
    public LossFunction(string name = SparseCategoricalCrossentropy.Name, double labelSmoothing = 0)
    {
        if (name is not (SparseCategoricalCrossentropy.Name or CategoricalCrossentropy.Name))
        {
            throw new ArgumentException(
                $"Could not interpret loss identifier: {name}. Expected one of: {SparseCategoricalCrossentropy.Name}, " +
                $"{CategoricalCrossentropy.Name}.",
                "loss");
        }
        Name = name;
        LabelSmoothing = SparseCategoricalCrossentropy.RequireLabelSmoothing(labelSmoothing);
    }

    /// <summary>Keras' identifier: sparse_categorical_crossentropy or categorical_crossentropy.</summary>
    public string Name { get; }

    /// <summary>Label smoothing; 0 for none.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Whether the labels are one-hot rows (N, classes) rather than class indices (N).</summary>
    public bool OneHotLabels => Name == CategoricalCrossentropy.Name;

    /// <summary>The mean loss of a batch's scores: logits when <paramref name="fromLogits"/>, else probabilities.</summary>
    public Tensor Compute(Tensor scores, Tensor labels, bool fromLogits) => (OneHotLabels, fromLogits) switch
    {
        (false, true) => SparseCategoricalCrossentropy.FromLogits(scores, labels, LabelSmoothing),
        (false, false) => SparseCategoricalCrossentropy.FromProbabilities(scores, labels, LabelSmoothing),
        (true, true) => CategoricalCrossentropy.FromLogits(scores, labels, LabelSmoothing),
        (true, false) => CategoricalCrossentropy.FromProbabilities(scores, labels, LabelSmoothing),
    };
}
