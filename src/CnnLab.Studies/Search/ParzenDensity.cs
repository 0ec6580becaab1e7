namespace CnnLab.Studies.Search;

/// <summary>
/// A density over one parameter for <see cref="TpeSampler"/>: on [0, 1] (the parameter's sampling scale) a mixture of
/// Gaussians truncated to [0, 1], one per observed point plus a wide prior (centre 0.5, width 1), each point's width
/// the larger distance to its neighbours, clipped to [1 / min(100, n + 1), 1] (Bergstra et al. 2011); over a choice's
/// indices, the observed counts plus one spread over every value.
/// </summary>
internal sealed class ParzenDensity
{
    private readonly double[] _centres;
    private readonly double[] _widths;
    private readonly double[] _weights;
    private readonly bool _categorical;

    private ParzenDensity(double[] centres, double[] widths, double[] weights, bool categorical)
    {
        (_centres, _widths, _weights, _categorical) = (centres, widths, weights, categorical);
    }

    public static ParzenDensity Categorical(int count, IReadOnlyList<double> indices)
    {
        var weights = Enumerable.Repeat(1.0 / count, count).ToArray();
        foreach (var index in indices)
        {
            weights[(int)index] += 1;
        }
        var total = weights.Sum();
        return new ParzenDensity(Array.Empty<double>(), Array.Empty<double>(), weights.Select(w => w / total).ToArray(), true);
    }

    public static ParzenDensity Numeric(IReadOnlyList<double> points)
    {
        var sorted = points.Select(p => Math.Clamp(p, 0, 1)).Order().ToArray();
        var n = sorted.Length;
        var minimum = 1.0 / Math.Min(100.0, n + 1);
        var centres = new double[n + 1];
        var widths = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            var left = i > 0 ? sorted[i] - sorted[i - 1] : sorted[i];
            var right = i < n - 1 ? sorted[i + 1] - sorted[i] : 1 - sorted[i];
            centres[i] = sorted[i];
            widths[i] = Math.Clamp(Math.Max(left, right), minimum, 1);
        }
        (centres[n], widths[n]) = (0.5, 1.0);
        return new ParzenDensity(centres, widths, Enumerable.Repeat(1.0 / (n + 1), n + 1).ToArray(), false);
    }

    /// <summary>A value drawn from the density: an index for a choice, a point of [0, 1) otherwise.</summary>
    public double Draw(Random random)
    {
        var pick = random.NextDouble();
        var component = 0;
        for (var sum = _weights[0]; sum < pick && component < _weights.Length - 1; sum += _weights[++component])
        {
        }
        if (_categorical)
        {
            return component;
        }
        // Inverse transform within the truncation: uniform between the component's CDF at 0 and at 1.
        var (centre, width) = (_centres[component], _widths[component]);
        var low = NormalCdf((0 - centre) / width);
        var high = NormalCdf((1 - centre) / width);
        var u = low + random.NextDouble() * (high - low);
        return Math.Clamp(centre + width * NormalQuantile(u), 0, Math.BitDecrement(1.0));
    }

    /// <summary>The density at <paramref name="value"/> (an index for a choice).</summary>
    public double At(double value)
    {
        if (_categorical)
        {
            return _weights[(int)value];
        }
        var density = 0.0;
        for (var i = 0; i < _centres.Length; i++)
        {
            var (centre, width) = (_centres[i], _widths[i]);
            var mass = NormalCdf((1 - centre) / width) - NormalCdf((0 - centre) / width);
            var z = (value - centre) / width;
            density += _weights[i] * Math.Exp(-0.5 * z * z) / (width * Math.Sqrt(2 * Math.PI) * Math.Max(mass, 1e-12));
        }
        return Math.Max(density, 1e-300);
    }

    internal static double NormalCdf(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

    /// <summary>The standard normal quantile, by bisection on <see cref="NormalCdf"/>.</summary>
    internal static double NormalQuantile(double p)
    {
        double low = -40, high = 40;
        for (var i = 0; i < 100 && high - low > 1e-12; i++)
        {
            var middle = (low + high) / 2;
            (low, high) = NormalCdf(middle) < p ? (middle, high) : (low, middle);
        }
        return (low + high) / 2;
    }

    /// <summary>The error function, by Abramowitz and Stegun's formula 7.1.26 (absolute error below 1.5e-7: ample for
    /// densities that only rank candidates).</summary>
    internal static double Erf(double x)
    {
        if (x < 0)
        {
            return -Erf(-x);
        }
        var t = 1 / (1 + 0.3275911 * x);
        var polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return 1 - polynomial * Math.Exp(-x * x);
    }
}
