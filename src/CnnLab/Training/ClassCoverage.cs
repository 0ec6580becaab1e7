using System.Globalization;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Whether the training and validation parts of a Fit hold the same classes. Keras' validation_split takes the last
/// samples, so data sorted by class train on some classes and validate on others, and Fit's numbers then look fine
/// while the model has never seen the validated classes (val_accuracy 1.0, test accuracy at chance).
/// </summary>
internal static class ClassCoverage
{
    /// <summary>A one-line warning naming the classes only one part holds,
    /// or null when both hold the same ones (or one is empty).</summary>
    public static string? Warning(Tensor trainY, Tensor valY, int classes, IReadOnlyList<string>? classNames, double? validationSplit)
    {
        if (trainY.shape[0] == 0 || valY.shape[0] == 0)
        {
            return null;
        }
        // One-hot labels (categorical_crossentropy) count by their largest entry.
        using var trainLabels = trainY.dim() == 2 ? trainY.argmax(1) : trainY.alias();
        using var valLabels = valY.dim() == 2 ? valY.argmax(1) : valY.alias();
        var inTraining = Present(trainLabels, classes);
        var inValidation = Present(valLabels, classes);
        var onlyValidation = Enumerable.Range(0, classes).Where(c => inValidation[c] && !inTraining[c]).ToList();
        var onlyTraining = Enumerable.Range(0, classes).Where(c => inTraining[c] && !inValidation[c]).ToList();
        if (onlyValidation.Count == 0 && onlyTraining.Count == 0)
        {
            return null;
        }
        string Names(List<int> labels) => labels.Count == 0 ? "none" : string.Join(", ", labels.Select(c =>
            classNames is not null && c < classNames.Count ? $"{classNames[c]} ({c})" : c.ToString(CultureInfo.InvariantCulture)));
        var hint = validationSplit is double split
            ? string.Create(CultureInfo.InvariantCulture,
                $"validationSplit={split} holds out the last {split * 100:0.#}% of the samples, as Keras does, " +
                $"so samples sorted by class train on some classes " +
                $"and validate on others: shuffle them before Fit (folders and CSV files are shuffled unless their order is kept), " +
                $"or pass stratified " +
                $"validationData (StratifiedSplit.Split).")
            : "Validation then scores classes the model never trained on, or leaves trained ones unscored: " +
              "give validationData the training " +
              "data's classes (StratifiedSplit.Split keeps every class's share).";
        return $"warning: the training and validation data hold different classes; only in validation: {Names(onlyValidation)}; " +
               $"only in training: {Names(onlyTraining)}. {hint}";
    }

    private static bool[] Present(Tensor labels, int classes)
    {
        using var counts = labels.bincount(null, classes);
        using var onCpu = counts.cpu();
        return onCpu.data<long>().ToArray().Select(n => n > 0).ToArray();
    }
}
