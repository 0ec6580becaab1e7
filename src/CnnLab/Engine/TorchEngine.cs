using static TorchSharp.torch;

namespace CnnLab.Engine;

/// <summary>
/// The process-wide libtorch settings CnnLab takes explicitly instead of leaving them to libtorch's guesses:
/// the intra-op thread count and whether convolutions may use oneDNN (mkldnn).
/// </summary>
public static class TorchEngine
{
    /// <summary>Environment variable that leaves glibc's malloc thresholds as they are ("default").</summary>
    public const string MallocVariable = "CNNLAB_MALLOC";

    /// <summary>Environment variable that turns oneDNN convolutions back on ("1").</summary>
    public const string OneDnnVariable = "CNNLAB_ONEDNN";

    private static readonly object Gate = new();
    private static bool _interOpSet;

    /// <summary>
    /// Sets the intra-op threads (null: all cores), the convolution backend and glibc's malloc thresholds
    /// (unless CNNLAB_MALLOC=default), and returns the thread count. Throws an <see cref="InvalidOperationException"/>
    /// naming the cause and the fix when libtorch cannot load (see <see cref="LibTorchLoader"/>).
    /// oneDNN stays off unless <paramref name="oneDnn"/> or CNNLAB_ONEDNN=1 asks for it: on the 2-core
    /// Firecracker VMs this project is developed on, its JIT-compiled convolutions sometimes return NaN or
    /// garbage when the CPU is contended, even with one thread (see README, "Engine"); libtorch's own
    /// convolution path gave correct results in every run there.
    /// </summary>
    public static int Configure(int? threads = null, bool? oneDnn = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        // More threads than logical cores only wait on each other; a huge count hung the process spawning them.
        if (count < 1 || count > Environment.ProcessorCount)
        {
            throw new ArgumentException(
                $"Invalid value for argument `threads`. Expected 1 to {Environment.ProcessorCount} (this machine's logical cores). Received: threads={count}", nameof(threads));
        }
        var useOneDnn = oneDnn ?? Environment.GetEnvironmentVariable(OneDnnVariable) == "1";
        // Before the first native call: TorchSharp's own loader would hide the cause of a failure (see LibTorchLoader).
        LibTorchLoader.EnsureLoaded();
        lock (Gate)
        {
            set_num_threads(count);
            if (!_interOpSet)
            {
                // libtorch refuses to resize the inter-op pool once parallel work has started: set it once.
                set_num_interop_threads(count);
                _interOpSet = true;
            }
            if (NativeContext.IsSupported)
            {
                NativeContext.SetOneDnnEnabled(useOneDnn);
                // NNPACK is not built for these CPUs; without this libtorch warns on every convolution call site.
                NativeContext.SetNnpackEnabled(false);
            }
        }
        OneDnnEnabled = useOneDnn;
        if (Environment.GetEnvironmentVariable(MallocVariable) != "default")
        {
            AllocatorTuned = NativeAllocator.KeepBuffersInHeap();
        }
        Threads = count;
        return count;
    }

    /// <summary>Applies the defaults (all cores, oneDNN off) unless <see cref="Configure"/> already ran.</summary>
    internal static void EnsureConfigured()
    {
        if (Threads is null)
        {
            Configure();
        }
    }

    /// <summary>The intra-op thread count last configured, or null before <see cref="Configure"/>.</summary>
    public static int? Threads { get; private set; }

    /// <summary>Whether glibc's malloc was told to keep training buffers in the heap (see <see cref="NativeAllocator"/>).</summary>
    public static bool AllocatorTuned { get; private set; }

    /// <summary>Whether convolutions may use oneDNN, as last configured.</summary>
    public static bool OneDnnEnabled { get; private set; }
}
