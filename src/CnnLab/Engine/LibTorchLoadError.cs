using System.Text.RegularExpressions;

namespace CnnLab.Engine;

/// <summary>The one-line message for a libtorch that does not load: the real cause, and the fix.</summary>
internal static partial class LibTorchLoadError
{
    /// <summary>From what the dynamic loader said: a DllNotFoundException's message, a header then one line per path tried.</summary>
    /// <param name="loaderMessage">The exception's message.</param>
    /// <param name="file">The libLibTorchSharp.so that was to be loaded.</param>
    /// <param name="fixProblem">Why the GLIBCXX fix could not be applied, if it could not.</param>
    public static string Describe(string loaderMessage, string file, string? fixProblem)
    {
        var lines = loaderMessage.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        // The paths that do not exist say nothing; the line for the file that exists says why it was refused.
        var reason = lines.Skip(1).FirstOrDefault(l => !l.EndsWith("No such file or directory", StringComparison.Ordinal))
            ?? lines.FirstOrDefault() ?? loaderMessage;
        var missing = MissingVersionLine().Match(reason);
        if (!missing.Success)
        {
            return $"libtorch did not load: {reason} (see README, \"Engine\").";
        }
        return MissingVersion(missing.Groups["by"].Success ? missing.Groups["by"].Value : file,
            missing.Groups["version"].Value, missing.Groups["library"].Value, fixProblem);
    }

    /// <summary>For a library that needs a version the system's libstdc++ lacks.</summary>
    public static string MissingVersion(string file, string version, string libstdcxx, string? fixProblem)
    {
        var newest = Newest(libstdcxx) is { } n ? $" (newest {n})" : "";
        if (version == GlibcxxFix.Version)
        {
            return $"libtorch did not load: {file} needs {version}, which this system's {libstdcxx}{newest} lacks, "
                + $"and CnnLab could not mark that requirement weak ({fixProblem?.TrimEnd('.') ?? "the file was left unchanged"}). "
                + $"Fix: let this user write {file} and run again, build the application with the CnnLab "
                + $"package (its build step patches the output folder), or install a libstdc++ that has {version}.";
        }
        return $"libtorch did not load: {file} needs {version}, which this system's {libstdcxx}{newest} lacks; "
            + $"only {GlibcxxFix.Version} is safe to skip. Fix: install a libstdc++ that provides {version}.";
    }

    private static string? Newest(string libstdcxx)
    {
        try
        {
            return SystemLibstdcxx.Newest(SystemLibstdcxx.Versions(libstdcxx));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(?<library>\S+): version `(?<version>[^']+)' not found(?: \(required by (?<by>[^)]+)\))?")]
    private static partial Regex MissingVersionLine();
}
