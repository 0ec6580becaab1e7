using System.Runtime.Versioning;

namespace CnnLab.Engine;

/// <summary>
/// Marks libLibTorchSharp.so's requirement on GLIBCXX_3.4.32 weak where the system's libstdc++ lacks it, before
/// TorchSharp loads the library. TorchSharp 0.107's library needs that version only for the marker symbol
/// std::ios_base_library_init, which it never calls; Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so glibc's
/// loader refuses the library, and TorchSharp then reports a missing libtorch package and copies half a gigabyte
/// of libtorch into a "cpu" folder beside the application to try again. Only the flags of that one entry change.
/// This is the build step of this repository and of the CnnLab package (build/WeakenGlibcxxRequirement.cs)
/// done at load time, so it reaches every application that references CnnLab, however it was built.
/// </summary>
internal static class GlibcxxFix
{
    /// <summary>The one version requirement that is safe to weaken.</summary>
    public const string Version = "GLIBCXX_3.4.32";

    /// <summary>The library whose versions are compared.</summary>
    public const string Libstdcxx = "libstdc++.so.6";

    public const string NativeFileName = "libLibTorchSharp.so";

    /// <summary>The libLibTorchSharp.so the .NET runtime will load: the first in its native search directories.</summary>
    public static string? Locate()
    {
        var directories = (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(AppContext.BaseDirectory);
        return directories.Select(d => Path.Combine(d, NativeFileName)).FirstOrDefault(File.Exists);
    }

    /// <summary>The versions <paramref name="elf"/> needs from libstdc++, not weak, that
    /// <paramref name="systemVersions"/> lacks: what glibc would refuse it for.</summary>
    public static IReadOnlyList<string> Missing(byte[] elf, string path, IReadOnlySet<string> systemVersions) =>
        ElfVersions.Needs(elf, path)
        .Where(n => n.Library == Libstdcxx && !n.Weak && !systemVersions.Contains(n.Version))
        .Select(n => n.Version)
        .ToList();

    /// <summary>
    /// Sets the weak flag on the GLIBCXX_3.4.32 requirement in <paramref name="elf"/> when the system lacks that
    /// version and the requirement is not weak yet; returns whether it changed anything.
    /// </summary>
    public static bool Weaken(byte[] elf, string path, IReadOnlySet<string> systemVersions)
    {
        if (systemVersions.Contains(Version))
        {
            return false;
        }
        var changed = false;
        foreach (var need in ElfVersions.Needs(elf, path))
        {
            if (need.Library == Libstdcxx && need.Version == Version && !need.Weak)
            {
                elf[need.FlagsOffset] |= (byte)ElfVersions.WeakFlag;
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>
    /// Weakens the requirement in <paramref name="file"/> itself if the system lacks the version; returns whether the
    /// file changed. Refuses (IOException) a file inside the NuGet package cache, which other projects share and
    /// NuGet verifies, and one this user may not write (UnauthorizedAccessException).
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static bool Apply(string file, IReadOnlySet<string> systemVersions)
    {
        var elf = File.ReadAllBytes(file);
        if (!Weaken(elf, file, systemVersions))
        {
            return false;
        }
        if (IsInNuGetCache(file))
        {
            throw new IOException($"{file} lies in the NuGet package cache, which CnnLab never changes");
        }
        // Write beside, then rename: a process killed midway, or another one loading the library at the same
        // time, never sees a half-written file. The build's timestamp is kept, so an incremental build sees the
        // file unchanged and does not copy the unpatched one over it again.
        var written = File.GetLastWriteTimeUtc(file);
        var mode = File.GetUnixFileMode(file);
        var temporary = $"{file}.{Environment.ProcessId}.cnnlab-tmp";
        try
        {
            File.WriteAllBytes(temporary, elf);
            File.SetUnixFileMode(temporary, mode);
            File.SetLastWriteTimeUtc(temporary, written);
            File.Move(temporary, file, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return true;
    }

    private static bool IsInNuGetCache(string file)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(packages)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(file).StartsWith(root, StringComparison.Ordinal);
    }
}
