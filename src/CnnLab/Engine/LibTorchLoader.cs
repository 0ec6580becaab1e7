using System.Runtime.InteropServices;
using TorchSharp;

namespace CnnLab.Engine;

/// <summary>
/// Loads TorchSharp's native library before TorchSharp does, so that a failure says why. TorchSharp's own loader
/// reports every failure as a missing libtorch package and, before it gives up, copies libtorch into a "cpu" folder
/// beside the application; CnnLab fixes what it can first (see <see cref="GlibcxxFix"/>) and otherwise stops with
/// the dynamic loader's real reason and the fix.
/// </summary>
public static class LibTorchLoader
{
    private static readonly object Gate = new();
    private static bool _prepared;
    private static string? _nativeFile;
    private static string? _fixProblem;
    private static bool _loaded;
    private static string? _failure;

    /// <summary>
    /// Makes sure libtorch loads, or throws an <see cref="InvalidOperationException"/> that names the cause and the
    /// fix (on Linux, a libstdc++ version this system lacks, such as GLIBCXX_3.4.32). CnnLab's models, layers and
    /// <see cref="TorchEngine.Configure"/> call it; call it yourself before using TorchSharp ahead of them.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (Diagnose() is { } failure)
        {
            throw new InvalidOperationException(failure);
        }
    }

    /// <summary>Why libtorch cannot load, in one line; null when it loads, or off Linux, where TorchSharp's loader decides.</summary>
    public static string? Diagnose()
    {
        lock (Gate)
        {
            if (_loaded || _failure is not null)
            {
                return _failure;
            }
            _failure = Prepare();
            if (_failure is null && OperatingSystem.IsLinux() && _nativeFile is not null)
            {
                try
                {
                    NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
                }
                catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
                {
                    _failure = LibTorchLoadError.Describe(e.Message, _nativeFile, _fixProblem);
                }
            }
            _loaded = _failure is null;
            return _failure;
        }
    }

    /// <summary>
    /// Applies the GLIBCXX fix once, when CnnLab's assembly is first used, before anything in it reaches TorchSharp.
    /// Returns why libtorch will not load where that is certain without loading it: a version the library needs
    /// that the libstdc++ already in this process lacks (exactly glibc's check); else null.
    /// </summary>
    internal static string? Prepare()
    {
        lock (Gate)
        {
            if (_prepared || !OperatingSystem.IsLinux())
            {
                return null;
            }
            _prepared = true;
            try
            {
                _nativeFile = GlibcxxFix.Locate();
                if (_nativeFile is null || SystemLibstdcxx.Locate() is not { } libstdcxx)
                {
                    return null;
                }
                var versions = SystemLibstdcxx.Versions(libstdcxx);
                try
                {
                    GlibcxxFix.Apply(_nativeFile, versions);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _fixProblem = e.Message;
                }
                if (SystemLibstdcxx.Mapped() != libstdcxx)
                {
                    return null;
                }
                var missing = GlibcxxFix.Missing(File.ReadAllBytes(_nativeFile), _nativeFile, versions);
                return missing.Count == 0 ? null : LibTorchLoadError.MissingVersion(_nativeFile, missing[0], libstdcxx, _fixProblem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // Reading the files went wrong: leave the decision to the loader, and keep the reason for its message.
                _fixProblem = e.Message;
                return null;
            }
        }
    }
}
