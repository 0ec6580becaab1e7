using System.Globalization;
using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>The checks Fit, Evaluate and Predict make on their inputs, with errors that say what to change.</summary>
internal static class DataChecks
{
    public static void RequireBatchSize(int batchSize)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentException(
                $"Invalid value for argument `batchSize`. Expected a strictly positive value. Received: batchSize={batchSize}",
                nameof(batchSize));
        }
    }

    /// <summary>
    /// Refuses a batch whose activations and their gradients alone would not fit in the memory this process may use,
    /// before the first step allocates them (libtorch's failed allocation kills the process instead of throwing).
    /// </summary>
    public static void RequireActivationsFit(ITrainableModel model, int batchSize)
    {
        var needed = ModelLimits.TrainingActivationBytes(model.Layers.Select(l => l.OutputShape!), batchSize);
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (needed > available)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A training step of model \"{model.ModelName}\" at batch size {batchSize} needs about {needed / (double)(1L << 30):F1} " +
                $"GiB for the layers' outputs and gradients, " +
                $"more than the {available / (double)(1L << 30):F1} GiB of memory available. Use a smaller batch size or a smaller model."),
                nameof(batchSize));
        }
    }

    public static void RequireInputShape(ITrainableModel model, Tensor x, string argument)
    {
        ArgumentNullException.ThrowIfNull(x, argument);
        var expected = model.InputShape.ToTensorShape(x.shape.Length > 0 ? x.shape[0] : 0);
        if (!x.shape.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"Input `{argument}` has shape ({string.Join(", ", x.shape)}) but model \"{model.ModelName}\" expects (N, " +
                $"{string.Join(", ", expected.Skip(1))}) " +
                $"for input shape {model.InputShape} (images are passed as N x channels x height x width).", argument);
        }
        if (x.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"Input `{argument}` has dtype {x.dtype}; expected Float32. Convert with x.to(ScalarType.Float32).",
                argument);
        }
    }

    private static void RequireOneHot(Tensor y, long count, int classes, string xName, string yName)
    {
        if (y.shape.Length == 1 && y.shape[0] == count)
        {
            throw new ArgumentException(
                $"Labels `{yName}` have shape ({count}), class indices, but the loss is {CategoricalCrossentropy.Name}, " +
                $"which takes one-hot rows of shape ({count}, {classes}). " +
                $"Convert with Categorical.ToCategorical(y, {classes}), or compile with loss: \"{SparseCategoricalCrossentropy.Name}\".",
                yName);
        }
        if (y.shape.Length != 2 || y.shape[0] != count || y.shape[1] != classes)
        {
            throw new ArgumentException(
                $"Labels `{yName}` have shape ({string.Join(", ", y.shape)}); expected ({count}, {classes}), one one-hot row per sample " +
                $"of `{xName}`.", yName);
        }
        if (y.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"Labels `{yName}` have dtype {y.dtype}; expected Float32 one-hot rows. " +
                $"Convert with y.to(ScalarType.Float32).", yName);
        }
    }

    public static void RequireSamples(ITrainableModel model, LossFunction loss, Tensor x, Tensor y, string xName, string yName)
    {
        RequireInputShape(model, x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        var classes = model.ClassCount;
        if (loss.OneHotLabels)
        {
            RequireOneHot(y, x.shape[0], classes, xName, yName);
            return;
        }
        if (y.shape.Length == 2 && y.shape[0] == x.shape[0] && y.shape[1] == classes)
        {
            throw new ArgumentException(
                $"Labels `{yName}` have shape ({string.Join(", ", y.shape)}), one-hot rows, " +
                $"but the loss is {SparseCategoricalCrossentropy.Name}, which takes class indices of shape ({x.shape[0]}). " +
                $"Compile with loss: \"{CategoricalCrossentropy.Name}\", or pass y.argmax(1).", yName);
        }
        if (y.shape.Length != 1 || y.shape[0] != x.shape[0])
        {
            throw new ArgumentException(
                $"Labels `{yName}` have shape ({string.Join(", ", y.shape)}); expected ({x.shape[0]}), one integer label per sample " +
                $"of `{xName}`.", yName);
        }
        if (y.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Labels `{yName}` have dtype {y.dtype}; expected Int64 class indices. " +
                $"Convert with y.to(ScalarType.Int64).", yName);
        }
        if (y.shape[0] == 0)
        {
            return;
        }
        using var minimum = y.min();
        using var maximum = y.max();
        var min = minimum.item<long>();
        var max = maximum.item<long>();
        if (min < 0 || max >= classes)
        {
            var bad = min < 0 ? min : max;
            throw new ArgumentException(
                $"Received a label value of {bad} which is outside the valid range of [0, {classes}). " +
                $"Labels `{yName}` must be class indices below the model's {classes} outputs.", yName);
        }
    }
}
