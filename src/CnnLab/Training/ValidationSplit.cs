using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>The training and validation tensors of a Fit, as Keras cuts them.</summary>
internal static class ValidationSplit
{
    /// <summary>
    /// The given validation data, or Keras' rule: validation is the LAST fraction of the samples, cut before
    /// shuffling; no validation for a split of 0.
    /// </summary>
    public static (Tensor TrainX, Tensor TrainY, Tensor? ValX, Tensor? ValY) Cut(Tensor x, Tensor y, FitOptions options)
    {
        if (options.ValidationData is { } given)
        {
            return (x, y, given.X, given.Y);
        }
        if (options.ValidationSplit == 0)
        {
            return (x, y, null, null);
        }
        var count = x.shape[0];
        var splitAt = (long)Math.Floor(count * (1.0 - options.ValidationSplit));
        return (x.narrow(0, 0, splitAt), y.narrow(0, 0, splitAt), x.narrow(0, splitAt, count - splitAt),
            y.narrow(0, splitAt, count - splitAt));
    }
}
