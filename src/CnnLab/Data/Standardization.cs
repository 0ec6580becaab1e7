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

    /// <summary>Standardisation with known statistics (a saved model's); one mean and one positive std per channel.</summary>
    public static Standardization From(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean.Count == 0 || mean.Count != std.Count || std.Any(s => !(s > 0)))
        {
            throw new ArgumentException(
                $"A standardisation needs one mean and one positive std per channel; got {mean.Count} mean(s) " +
                $"and std [{string.Join(", ", std)}].");
        }
        return new Standardization(mean.ToArray(), std.ToArray());
    }

    /// <summary>Standardises images in place: (x - mean) / std per channel of an N x C x H x W tensor.</summary>
    public void Apply(Tensor images)
    {
        if (images.shape[1] != Mean.Count)
        {
            throw new ArgumentException($"The images have {images.shape[1]} channels but the standardisation was fitted on {Mean.Count}.",
                nameof(images));
        }
        using var scope = NewDisposeScope();
        var mean = tensor(Mean.ToArray()).reshape(1, -1, 1, 1);
        var std = tensor(Std.ToArray()).reshape(1, -1, 1, 1);
        images.sub_(mean).div_(std);
    }

    /// <summary>Computes the statistics of each channel of <paramref name="train"/>.</summary>
    public static Standardization Fit(Dataset train)
    {
        using var scope = NewDisposeScope();
        var (variance, mean) = train.Images.var_mean(new long[] { 0, 2, 3 }, unbiased: false);
        var std = variance.sqrt().clamp_min(1e-7);
        return new Standardization(mean.data<float>().ToArray(), std.data<float>().ToArray());
    }

    /// <summary>Standardises the dataset's images in place.</summary>
    public void Apply(Dataset dataset) => Apply(dataset.Images);
}
