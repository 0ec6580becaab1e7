using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>The checks a Fit makes on its settings and data before the first batch, with errors that say what to change.</summary>
internal static class FitChecks
{
    public static void Require(ITrainableModel model, LossFunction loss, FitOptions options, Tensor x, Tensor y)
    {
        DataChecks.RequireBatchSize(options.BatchSize);
        DataChecks.RequireActivationsFit(model, options.BatchSize);
        if (options.Epochs < 0)
        {
            throw new ArgumentException($"Invalid value for argument `epochs`. Expected a value >= 0. Received: epochs={options.Epochs}",
                "epochs");
        }
        if (!(options.ValidationSplit >= 0 && options.ValidationSplit < 1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `validationSplit`. Expected a float in [0, 1). Received: " +
                $"validationSplit={options.ValidationSplit}",
                "validationSplit");
        }
        DataChecks.RequireSamples(model, loss, x, y, "x", "y");
        if (options.ValidationData is { } v)
        {
            DataChecks.RequireSamples(model, loss, v.X, v.Y, "validationData.X", "validationData.Y");
        }
        foreach (var layer in options.Augmentation)
        {
            RequireShapeKept(layer, model.InputShape);
        }
        var trainCount = x.shape[0] - (options.ValidationData is null ? (long)Math.Floor(x.shape[0] * options.ValidationSplit) : 0);
        if (trainCount == 0 && x.shape[0] > 0)
        {
            throw new ArgumentException(
                $"validationSplit={options.ValidationSplit} leaves no training samples out of {x.shape[0]}. " +
                $"Use a smaller split or more data.",
                "validationSplit");
        }
    }

    private static void RequireShapeKept(Layers.Layer layer, Core.Shape input)
    {
        if (!layer.IsBuilt)
        {
            layer.Build(input);
        }
        if (!Equals(layer.InputShape, input) || !Equals(layer.OutputShape, input))
        {
            throw new ArgumentException(
                $"Augmentation layer \"{layer.Name}\" ({layer.TypeName}) maps {layer.InputShape} to {layer.OutputShape}, " +
                $"but augmentation must keep " +
                $"the model's input shape {input}. Use RandomFlip, RandomTranslation, RandomRotation or RandomErasing, " +
                $"or put other layers in the model.",
                "Augmentation");
        }
    }
}
