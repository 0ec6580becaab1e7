using CnnLab.Engine;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Inference over a whole tensor in batches, in eval mode and inference mode, each batch in its own dispose scope:
/// Keras' evaluate (mean loss and accuracy) and predict (the outputs).
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Mean loss and accuracy over (x, y). <paramref name="probabilities"/>, when given, replaces the model's forward
    /// pass for each batch with outputs that are probabilities (a test-time augmentation's mean), and the loss is
    /// computed from them.
    /// </summary>
    public static Evaluation Evaluate(ITrainableModel model, LossFunction loss, Tensor x, Tensor y, int batchSize,
        Func<Tensor, Tensor>? probabilities = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        var count = (int)x.shape[0];
        double lossSum = 0;
        long correct = 0;
        model.Module.eval();
        using (inference_mode())
        {
            for (var start = 0; start < count; start += batchSize)
            {
                ThreadGovernor.Tick();
                using var scope = NewDisposeScope();
                var length = Math.Min(batchSize, count - start);
                var xb = x.narrow(0, start, length).to(model.Device);
                var yb = y.narrow(0, start, length).to(model.Device);
                var (batchLoss, hits) = probabilities is null
                    ? ModelLoss.Of(model, loss, xb, yb)
                    : ModelLoss.OfProbabilities(model, loss, probabilities(xb), yb);
                lossSum += batchLoss.item<float>() * length;
                correct += hits.item<long>();
            }
        }
        return count == 0 ? new Evaluation(double.NaN, double.NaN, 0) : new Evaluation(lossSum / count, (double)correct / count, count);
    }

    /// <summary>The model's outputs for x, on the CPU.</summary>
    public static Tensor Predict(ITrainableModel model, Tensor x, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = (int)x.shape[0];
        model.Module.eval();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        for (var start = 0; start < count; start += batchSize)
        {
            ThreadGovernor.Tick();
            var length = Math.Min(batchSize, count - start);
            outputs.Add(model.Forward(x.narrow(0, start, length).to(model.Device)).cpu());
        }
        var output = model.Layers.Count > 0 ? model.Layers[^1].OutputShape! : model.InputShape;
        var result = outputs.Count == 0 ? empty(output.ToTensorShape(0)) : cat(outputs, 0);
        return result.MoveToOuterDisposeScope();
    }
}
