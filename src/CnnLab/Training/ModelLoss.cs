using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// A batch's loss as Keras reports it (the compiled loss plus the layers' regularization penalty) and its number of
/// correct predictions, for plain, mixed (mixup, CutMix) and averaged (test-time augmentation) outputs.
/// </summary>
internal static class ModelLoss
{
    public static (Tensor Loss, Tensor Hits) Of(ITrainableModel model, LossFunction loss, Tensor x, Tensor y)
    {
        var scores = Scores(model, x);
        return (Penalized(model, loss.Compute(scores, y, model.OutputsProbabilities)), Hits(scores, y));
    }

    /// <summary>Loss and hits of outputs already computed as probabilities (the mean over augmented copies).</summary>
    public static (Tensor Loss, Tensor Hits) OfProbabilities(ITrainableModel model, LossFunction loss, Tensor probabilities, Tensor y) =>
        (Penalized(model, loss.Compute(probabilities, y, fromLogits: false)), Hits(probabilities, y));

    public static (Tensor Loss, Tensor Hits) Mixed(ITrainableModel model, LossFunction loss, Augmentation.MixedBatch batch)
    {
        var scores = Scores(model, batch.Images);
        using var first = loss.Compute(scores, batch.Labels, model.OutputsProbabilities);
        using var second = loss.Compute(scores, batch.PartnerLabels, model.OutputsProbabilities);
        using var weightedFirst = first.mul(batch.Lambda);
        using var weightedSecond = second.mul(1 - batch.Lambda);
        var total = Penalized(model, weightedFirst.add(weightedSecond));
        // A mixed image counts as right when the prediction is its larger share's label (Keras: argmax of the soft label).
        return (total, Hits(scores, batch.Lambda >= 0.5 ? batch.Labels : batch.PartnerLabels));
    }

    /// <summary>Logits when the model ends in a softmax (the loss is computed from them, as Keras does), else the outputs.</summary>
    private static Tensor Scores(ITrainableModel model, Tensor x) => model.OutputsProbabilities ? model.ForwardLogits(x) : model.Forward(x);

    private static Tensor Penalized(ITrainableModel model, Tensor loss)
    {
        using var penalty = model.RegularizationLoss();
        if (penalty is null)
        {
            return loss;
        }
        using (loss)
        {
            return loss.add(penalty);
        }
    }

    private static Tensor Hits(Tensor scores, Tensor y)
    {
        using var predicted = scores.argmax(1);
        // One-hot (or soft) labels count as right when the prediction is their largest entry, Keras' categorical_accuracy.
        using var labels = y.dim() == 2 ? y.argmax(1) : y.alias();
        using var equal = predicted.eq(labels);
        return equal.sum();
    }
}
