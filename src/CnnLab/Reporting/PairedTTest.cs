namespace CnnLab.Reporting;

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
            throw new ArgumentException($"A paired test needs the same number of values on both sides; received {first.Count} and {second.Count}.");
        }
        var n = first.Count;
        var differences = first.Zip(second, (a, b) => a - b).ToList();
        var mean = differences.Average();
        if (n < 2)
        {
            return new PairedTTest(n, mean, double.NaN, double.NaN);
        }
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        if (sd == 0)
        {
            return new PairedTTest(n, mean, mean == 0 ? 0 : double.PositiveInfinity, mean == 0 ? 1 : 0);
        }
        var t = mean / (sd / Math.Sqrt(n));
        var df = n - 1.0;
        var p = RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
        return new PairedTTest(n, mean, t, p);
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
