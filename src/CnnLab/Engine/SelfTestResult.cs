using System.Globalization;

namespace CnnLab.Engine;

/// <summary>The figures of <see cref="ConvolutionSelfTest.Run"/>: each check's
/// relative error between oneDNN on channels-last and the native path.</summary>
public sealed record SelfTestResult(IReadOnlyList<(string Name, double Error)> Errors)
{
    /// <summary>Whether every check is within <see cref="ConvolutionSelfTest.Tolerance"/>.</summary>
    public bool Passed => Errors.All(e => e.Error < ConvolutionSelfTest.Tolerance);

    /// <summary>The largest relative error and where it was.</summary>
    public (string Name, double Error) Worst => Errors.MaxBy(e => e.Error);

    /// <summary>One line: "passed: largest relative error 2.1e-07 (conv ...)" or "failed: ...".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "passed" : "failed")}: largest relative error {Worst.Error:0.0e+00} ({Worst.Name}), " +
        $"tolerance {ConvolutionSelfTest.Tolerance:0e+00}, {Errors.Count} checks");
}
