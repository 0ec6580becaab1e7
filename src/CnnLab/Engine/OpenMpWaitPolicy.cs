using System.Runtime.InteropServices;

namespace CnnLab.Engine;

/// <summary>
/// OpenMP's idle threads spin by default, waiting for the next parallel region. On a shared machine a spinning thread
/// holds a core another process needs, and a 2-thread step became 4-7x slower under contention (339 ms instead of
/// about 50); passive waiting brought it to 78 ms. libgomp reads OMP_WAIT_POLICY once, when libtorch loads it, so
/// this must run before TorchSharp's first native call, and through libc: .NET's own environment is not the one
/// native code reads.
/// </summary>
internal static partial class OpenMpWaitPolicy
{
    /// <summary>The variable libgomp reads.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE in the native environment unless the user chose a policy; Linux only.</summary>
    public static void PreferPassive()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) is null)
        {
            _ = SetEnvironment(Variable, "PASSIVE", 0);
        }
    }

    /// <summary>The policy libgomp will see (or saw): the native environment's value, or "ACTIVE (OpenMP's default)".</summary>
    public static string Current => OperatingSystem.IsLinux() && Marshal.PtrToStringUTF8(GetEnvironment(Variable)) is { } value
        ? value
        : Environment.GetEnvironmentVariable(Variable) ?? "not set (OpenMP's default: spin, then sleep)";

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnvironment(string name);
}
