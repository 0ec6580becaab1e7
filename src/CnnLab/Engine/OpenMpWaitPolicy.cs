using System.Runtime.InteropServices;

namespace CnnLab.Engine;

/// <summary>
/// How libgomp's idle threads wait, for <c>cnnlab doctor</c>. CnnLab leaves it to the user: spinning (libgomp's
/// default) is a quarter to a third faster on a quiet machine than passive waiting, which is faster when another
/// process takes a core (docs/performance.md); the opt-in <see cref="ThreadGovernor"/> lowers the threads instead.
/// </summary>
internal static partial class OpenMpWaitPolicy
{
    /// <summary>The variable libgomp reads, once, when libtorch loads it.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The policy libgomp will see (or saw): the native environment's
    /// value, or "not set" (libgomp then spins a while, then sleeps).</summary>
    public static string Current => OperatingSystem.IsLinux() && Marshal.PtrToStringUTF8(GetEnvironment(Variable)) is { } value
        ? value
        : Environment.GetEnvironmentVariable(Variable) ?? "not set (OpenMP's default: spin, then sleep)";

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnvironment(string name);
}
