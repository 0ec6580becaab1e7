using System.Reflection;
using static TorchSharp.torch;

namespace CnnLab.Tests.Engine;

/// <summary>TorchSharp's libLibTorchSharp.so as NuGet delivered it: the unpatched original, never written by the tests.</summary>
internal static class NuGetNative
{
    public static string LibTorchSharp()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }
        var version =
            typeof(Tensor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        return Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    /// <summary>The versions Debian 12's libstdc++ (GCC 12) defines that libLibTorchSharp.so asks for: all but GLIBCXX_3.4.32.</summary>
    public static IReadOnlySet<string> Debian12Versions() => new HashSet<string>(
        Enumerable.Range(0, 31).Select(i => i == 0 ? "GLIBCXX_3.4" : $"GLIBCXX_3.4.{i}")
            .Concat(Enumerable.Range(0, 14).Select(i => i == 0 ? "CXXABI_1.3" : $"CXXABI_1.3.{i}")));
}
