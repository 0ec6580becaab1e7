using System.Runtime.InteropServices;

namespace CnnLab.Engine;

/// <summary>
/// Switches of libtorch's global context that TorchSharp does not expose, reached through the C++ symbols
/// exported by libtorch_cpu.so (Itanium mangling: Linux only; elsewhere the calls are skipped).
/// </summary>
internal static partial class NativeContext
{
    private const string Library = "torch_cpu";

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Equivalent of <c>torch.backends.mkldnn.enabled = enabled</c>.</summary>
    public static void SetOneDnnEnabled(bool enabled) => SetUserEnabledMkldnn(GlobalContext(), enabled);

    /// <summary>Equivalent of <c>torch.backends.nnpack.enabled = enabled</c>.</summary>
    public static void SetNnpackEnabled(bool enabled) => SetUserEnabledNnpack(GlobalContext(), enabled);

    /// <summary>
    /// <c>torch.backends.mkldnn</c>'s version string (at::get_mkldnn_version()), or null off Linux. The C++ function
    /// returns a std::string, which the x86-64 and AArch64 ABIs return through a hidden pointer to caller memory;
    /// libstdc++'s string starts with its data pointer and length. The few bytes it may allocate are left to the process.
    /// </summary>
    public static string? OneDnnVersion() => IsSupported ? ReadStdString(GetMkldnnVersion) : null;

    /// <summary>The instruction set libtorch's own kernels were dispatched for
    /// (at::get_cpu_capability(), e.g. "AVX512"), or null off Linux.</summary>
    public static string? CpuCapability() => IsSupported ? ReadStdString(GetCpuCapability) : null;

    private static string ReadStdString(Action<IntPtr> call)
    {
        var buffer = Marshal.AllocHGlobal(64);
        try
        {
            call(buffer);
            var data = Marshal.ReadIntPtr(buffer);
            var length = Marshal.ReadInt64(buffer, 8);
            return length is > 0 and < 4096 ? Marshal.PtrToStringUTF8(data, (int)length) : "";
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [LibraryImport(Library, EntryPoint = "_ZN2at18get_mkldnn_versionB5cxx11Ev")]
    private static partial void GetMkldnnVersion(IntPtr result);

    [LibraryImport(Library, EntryPoint = "_ZN2at18get_cpu_capabilityB5cxx11Ev")]
    private static partial void GetCpuCapability(IntPtr result);

    [LibraryImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
