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

    [LibraryImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
