namespace CnnLab.Studies.Reporting;

/// <summary>
/// Student's paired t-test over seeds: run A and run B with the same seed form a pair, and the test asks
/// whether the mean of the differences is zero. Two-sided p-value from the t distribution with n - 1 degrees
/// of freedom (regularised incomplete beta function, evaluated by Lentz's continued fraction).
/// </summary>
public sealed record PairedTTest(int Pairs, double MeanDifference, double T, double PValue)
{
    /// <summary>Tests the pairs (first[i], second[i]); needs at least two pairs.</summary>
    public static PairedTTest Compute(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        if (first.Count != second.Count)
        {
            throw new ArgumentException($"A paired test needs the same number of values on both sides; received {first.Count} and " +
                $"{second.Count}.");
        }
        var n = first.Count;
        if (n == 0)
        {
            return new PairedTTest(0, double.NaN, double.NaN, double.NaN);
        }
        var differences = first.Zip(second, (a, b) => a - b).ToList();
        var mean = differences.Average();
        if (n < 2)
        {
            return new PairedTTest(n, mean, double.NaN, double.NaN);
        }
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        if (sd == 0)
        {
            return new PairedTTest(n, mean, mean == 0 ? 0 : double.PositiveInfinity, mean == 0 ? 1 : 0) { StandardDeviation = 0 };
        }
        var t = mean / (sd / Math.Sqrt(n));
        var df = n - 1.0;
        var p = RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
        return new PairedTTest(n, mean, t, p) { StandardDeviation = sd };
    }

    /// <summary>The standard deviation of the differences (n - 1 in the
    /// denominator); 0 when they are all equal, NaN under two pairs.</summary>
    public double StandardDeviation { get; init; } = double.NaN;

    /// <summary>Cohen's d for paired samples (d_z): the mean difference in standard deviations of the differences.</summary>
    public double EffectSize => StandardDeviation > 0 ? MeanDifference / StandardDeviation : double.NaN;

    /// <summary>
    /// The two-sided confidence interval of the mean difference at <paramref name="level"/> (t distribution with
    /// n - 1 degrees of freedom); NaN bounds under two pairs.
    /// </summary>
    public (double Low, double High) ConfidenceInterval(double level = 0.95)
    {
        if (Pairs < 2 || double.IsNaN(StandardDeviation))
        {
            return (double.NaN, double.NaN);
        }
        var half = TQuantile(1 - (1 - level) / 2, Pairs - 1) * StandardDeviation / Math.Sqrt(Pairs);
        return (MeanDifference - half, MeanDifference + half);
    }

    /// <summary>The t distribution's quantile for probability <paramref name="p"/> above 0.5, by bisection on its two-sided tail.</summary>
    public static double TQuantile(double p, double degreesOfFreedom)
    {
        var tail = 2 * (1 - p);
        double low = 0, high = 1e6;
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            var twoSided = RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, degreesOfFreedom / (degreesOfFreedom + mid * mid));
            (low, high) = twoSided > tail ? (mid, high) : (low, mid);
        }
        return (low + high) / 2;
    }

    /// <summary>I_x(a, b).</summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }
        if (x >= 1)
        {
            return 1;
        }
        var logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
        return x < (a + 1) / (a + b + 2)
            ? Math.Exp(logFront) * ContinuedFraction(a, b, x) / a
            : 1 - Math.Exp(logFront) * ContinuedFraction(b, a, 1 - x) / b;
    }

    private static double ContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = Math.Abs(d) < tiny ? tiny : d;
        d = 1 / d;
        var result = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + even * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + even / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            result *= d * c;
            var odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + odd * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + odd / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var step = d * c;
            result *= step;
            if (Math.Abs(step - 1) < 1e-14)
            {
                break;
            }
        }
        return result;
    }

    /// <summary>ln Γ(x), Lanczos approximation (g = 7, 9 terms).</summary>
    private static double LogGamma(double x)
    {
        double[] g =
        {
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        };
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < 9; i++)
        {
            sum += g[i] / (x + i);
        }
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
