using System.Globalization;

namespace CnnLab.Training;

/// <summary>What Evaluate returns: the mean loss and the accuracy over the samples.</summary>
public sealed record Evaluation(double Loss, double Accuracy, int Samples)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"loss: {Loss:F4} - accuracy: {Accuracy:F4} ({Samples} samples)");
}
