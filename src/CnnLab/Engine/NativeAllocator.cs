using System.Runtime.InteropServices;

namespace CnnLab.Engine;

/// <summary>
/// glibc malloc settings for a training process. By default glibc serves blocks above a dynamic threshold
/// with mmap and trims the heap top eagerly, so the activation buffers of every step are mapped, zeroed by the
/// kernel and unmapped again. Raising both thresholds keeps them in the heap for reuse: the same effect as
/// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=...:glibc.malloc.trim_threshold=..., set from inside the process.
/// </summary>
internal static partial class NativeAllocator
{
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    /// <summary>Largest mmap threshold glibc accepts on 64-bit (32 MiB).</summary>
    private const int MaxMmapThreshold = 32 * 1024 * 1024;

    private const int KeepFreeBytes = 1024 * 1024 * 1024;

    /// <summary>Applies the settings; returns false where the C library is not glibc or refuses them.</summary>
    public static bool KeepBuffersInHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return Mallopt(MmapThreshold, MaxMmapThreshold) == 1 && Mallopt(TrimThreshold, KeepFreeBytes) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
