namespace CnnLab.Engine;

/// <summary>The C++ standard library this process links against: the one glibc's loader will give libLibTorchSharp.</summary>
internal static class SystemLibstdcxx
{
    private static readonly string[] KnownPaths =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
    };

    /// <summary>
    /// The libstdc++ already mapped into this process (the .NET runtime loads one), which the loader will reuse for
    /// every later library; null where none is mapped yet.
    /// </summary>
    public static string? Mapped()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }
        foreach (var line in File.ReadLines(maps))
        {
            var start = line.IndexOf('/');
            if (start >= 0 && line.AsSpan(start).Contains("/libstdc++.so", StringComparison.Ordinal))
            {
                return line[start..];
            }
        }
        return null;
    }

    /// <summary>The mapped libstdc++, else the first in the usual places; null on a system without one.</summary>
    public static string? Locate() => Mapped() ?? KnownPaths.FirstOrDefault(File.Exists);

    /// <summary>The versions a libstdc++ defines (GLIBCXX_3.4, ..., CXXABI_1.3, ...).</summary>
    public static IReadOnlySet<string> Versions(string path) => ElfVersions.Definitions(File.ReadAllBytes(path), path).ToHashSet();

    /// <summary>The newest GLIBCXX_ version among <paramref name="versions"/>, for error messages ("GLIBCXX_3.4.30").</summary>
    public static string? Newest(IEnumerable<string> versions) => versions
        .Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
        .Select(v => (Name: v, Number: System.Version.TryParse(v["GLIBCXX_".Length..], out var n) ? n : null))
        .Where(v => v.Number is not null)
        .OrderByDescending(v => v.Number)
        .Select(v => v.Name)
        .FirstOrDefault();
}
