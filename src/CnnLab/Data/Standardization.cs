using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Per-channel standardisation, (x - mean) / std, with mean and std computed on the training split only
/// so no information leaks from the test set.
/// </summary>
public sealed class Standardization
{
    private Standardization(float[] mean, float[] std)
    {
        Mean = mean;
        Std = std;
    }

    /// <summary>Mean of each channel on the data it was fitted to.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Standard deviation of each channel (population), never below 1e-7.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>Computes the statistics of each channel of <paramref name="train"/>.</summary>
    public static Standardization Fit(Dataset train)
    {
        using var scope = NewDisposeScope();
        var (variance, mean) = train.Images.var_mean(new long[] { 0, 2, 3 }, unbiased: false);
        var std = variance.sqrt().clamp_min(1e-7);
        return new Standardization(mean.data<float>().ToArray(), std.data<float>().ToArray());
    }

    /// <summary>Standardises the dataset's images in place.</summary>
    public void Apply(Dataset dataset)
    {
        if (dataset.Images.shape[1] != Mean.Count)
        {
            throw new ArgumentException(
                $"The dataset has {dataset.Images.shape[1]} channels but the standardisation was fitted on {Mean.Count}.", nameof(dataset));
        }
        using var scope = NewDisposeScope();
        var mean = tensor(Mean.ToArray()).reshape(1, -1, 1, 1);
        var std = tensor(Std.ToArray()).reshape(1, -1, 1, 1);
        dataset.Images.sub_(mean).div_(std);
    }
}
