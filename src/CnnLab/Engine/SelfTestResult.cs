using System.Globalization;

namespace CnnLab.Engine;

/// <summary>The figures of a self-test (<see cref="ConvolutionSelfTest.Run"/>, <see cref="MixedPrecision.SelfTest"/>): each
/// check's relative error against its reference, and the largest error accepted.</summary>
public sealed record SelfTestResult(IReadOnlyList<(string Name, double Error)> Errors, double Tolerance = ConvolutionSelfTest.Tolerance)
{
    /// <summary>Kernels found wrong here and routed around (the checks above cover the route), one line each.</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    /// <summary>Whether every check is within <see cref="Tolerance"/>.</summary>
    public bool Passed => Errors.All(e => e.Error < Tolerance);

    /// <summary>The largest relative error and where it was.</summary>
    public (string Name, double Error) Worst => Errors.MaxBy(e => e.Error);

    /// <summary>One line: "passed: largest relative error 2.1e-07 (conv ...)" or "failed: ...".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "passed" : "failed")}: largest relative error {Worst.Error:0.0e+00} ({Worst.Name}), " +
        $"tolerance {Tolerance:0e+00}, {Errors.Count} checks");
}
