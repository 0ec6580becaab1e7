using System.Globalization;
using static TorchSharp.torch;

namespace CnnLab.Training.Augmentation;

/// <summary>A training batch whose images mix two samples: the loss is lambda * CE(labels) + (1 - lambda) * CE(partner labels).</summary>
public sealed record MixedBatch(Tensor Images, Tensor Labels, Tensor PartnerLabels, double Lambda);

/// <summary>
/// Augmentation that mixes each training image with another of the same batch (a seeded permutation) and mixes
/// the labels in the same proportion, lambda ~ Beta(alpha, alpha), one lambda per batch as in the papers.
/// Set on <see cref="FitOptions.BatchMix"/>; validation and test batches are never mixed.
/// </summary>
public abstract class BatchMix : IDisposable
{
    private Generator? _generator;

    /// <summary>Stores alpha, which must be finite and > 0.</summary>
    protected BatchMix(double alpha)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `alpha`. Expected a finite value > 0. Received: alpha={alpha}"), nameof(alpha));
        }
        Alpha = alpha;
    }

    /// <summary>Concentration of the Beta distribution of lambda.</summary>
    public double Alpha { get; }

    internal Generator Generator => _generator ??= new Generator(unchecked((ulong)Random.Shared.NextInt64()), CPU);

    /// <summary>Mixes a batch (N, C, H, W) with labels (N); the tensors belong to the caller's dispose scope.</summary>
    public MixedBatch Mix(Tensor images, Tensor labels)
    {
        var n = images.shape[0];
        var lambda = SampleLambda();
        var order = randperm(n, generator: Generator).to(images.device);
        var partners = images.index_select(0, order);
        var (mixed, actual) = Combine(images, partners, lambda);
        return new MixedBatch(mixed, labels, labels.index_select(0, order), actual);
    }

    /// <summary>Releases the generator.</summary>
    public void Dispose()
    {
        _generator?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The mixed images and the share of the first image actually in them.</summary>
    protected abstract (Tensor Images, double Lambda) Combine(Tensor images, Tensor partners, double lambda);

    /// <summary>A uniform [0, 1) draw from the mix's generator.</summary>
    protected double NextUniform()
    {
        using var value = rand(1, generator: Generator, dtype: ScalarType.Float64);
        return value.item<double>();
    }

    internal void Seed(long seed)
    {
        _generator?.Dispose();
        _generator = new Generator(unchecked((ulong)seed), CPU);
    }

    private double SampleLambda()
    {
        // Beta(a, a) = X / (X + Y) with X, Y ~ Gamma(a).
        using var concentration = full(2, Alpha, dtype: ScalarType.Float64);
        using var gammas = _standard_gamma(concentration, Generator);
        var g = gammas.data<double>().ToArray();
        return g[0] + g[1] > 0 ? g[0] / (g[0] + g[1]) : 0.5;
    }
}
