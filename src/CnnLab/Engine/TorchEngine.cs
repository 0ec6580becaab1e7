using static TorchSharp.torch;

namespace CnnLab.Engine;

/// <summary>
/// The process-wide libtorch settings CnnLab takes explicitly instead of leaving them to libtorch's guesses:
/// the intra-op thread count (lowered while other processes are busy: <see cref="ThreadGovernor"/>) and whether
/// convolutions use oneDNN (mkldnn, on channels-last tensors only).
/// </summary>
public static class TorchEngine
{
    /// <summary>Environment variable that leaves glibc's malloc thresholds as they are ("default").</summary>
    public const string MallocVariable = "CNNLAB_MALLOC";

    /// <summary>Environment variable that keeps oneDNN convolutions off without testing them ("0").</summary>
    public const string OneDnnVariable = "CNNLAB_ONEDNN";

    private static readonly object Gate = new();
    private static bool _interOpSet;
    private static bool _configured;

    /// <summary>
    /// Sets the intra-op threads (null: all cores), the convolution path and glibc's malloc thresholds (unless
    /// CNNLAB_MALLOC=default), and returns the thread count. Throws an <see cref="InvalidOperationException"/> naming
    /// the cause and the fix when libtorch cannot load (see <see cref="LibTorchLoader"/>).
    /// The convolution path is oneDNN on channels-last tensors when <see cref="ConvolutionSelfTest"/> finds it agrees
    /// with libtorch's native kernels on this machine, else native (with one line on stderr saying why).
    /// <paramref name="oneDnn"/> false, or CNNLAB_ONEDNN=0, keeps the native path without testing.
    /// </summary>
    public static int Configure(int? threads = null, bool? oneDnn = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        // More threads than logical cores only wait on each other; a huge count hung the process spawning them.
        if (count < 1 || count > Environment.ProcessorCount)
        {
            throw new ArgumentException(
                $"Invalid value for argument `threads`. Expected 1 to {Environment.ProcessorCount} (this machine's logical cores). " +
                $"Received: threads={count}", nameof(threads));
        }
        var wantOneDnn = oneDnn ?? Environment.GetEnvironmentVariable(OneDnnVariable) != "0";
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
            ThreadGovernor.Reset(count);
            var path = ConvolutionPath.Native;
            if (NativeContext.IsSupported)
            {
                // NNPACK is not built for these CPUs; without this libtorch warns on every convolution call site.
                NativeContext.SetNnpackEnabled(false);
                if (wantOneDnn)
                {
                    if (SelfTest is null)
                    {
                        SelfTest = ConvolutionSelfTest.Run();
                        if (!SelfTest.Passed)
                        {
                            Console.Error.WriteLine($"CnnLab: oneDNN on channels-last tensors disagrees with libtorch's native " +
                                $"convolutions here (self-test {SelfTest}); using the native path.");
                        }
                    }
                    path = SelfTest.Passed ? ConvolutionPath.OneDnnChannelsLast : ConvolutionPath.Native;
                }
                NativeContext.SetOneDnnEnabled(path == ConvolutionPath.OneDnnChannelsLast);
            }
            Path = path;
            Threads = count;
            // Published last: a layer built on another thread meanwhile (EnsureConfigured) waits for the path.
            Volatile.Write(ref _configured, true);
        }
        if (Environment.GetEnvironmentVariable(MallocVariable) != "default")
        {
            AllocatorTuned = NativeAllocator.KeepBuffersInHeap();
        }
        return count;
    }

    /// <summary>
    /// Runs the self-test again, with <paramref name="corruptFast"/> applied to the fast path's outputs, and chooses the
    /// path from it as <see cref="Configure"/> does: for tests of the fallback.
    /// </summary>
    internal static SelfTestResult RetestForTesting(Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? corruptFast)
    {
        lock (Gate)
        {
            var result = ConvolutionSelfTest.Run(corruptFast);
            Path = result.Passed && NativeContext.IsSupported ? ConvolutionPath.OneDnnChannelsLast : ConvolutionPath.Native;
            NativeContext.SetOneDnnEnabled(Path == ConvolutionPath.OneDnnChannelsLast);
            SelfTest = result;
            return result;
        }
    }

    /// <summary>
    /// Applies the defaults (all cores, the convolution path the self-test chooses) unless <see cref="Configure"/> already
    /// ran, and returns only once the path is chosen. Without the lock, a model built on one thread while another ran the
    /// self-test trained partly on the native path and partly on oneDNN: two trainings of one seed then differed in the
    /// 8th digit (ScheduleTests, at a test run's start).
    /// </summary>
    internal static void EnsureConfigured()
    {
        if (Volatile.Read(ref _configured))
        {
            return;
        }
        lock (Gate)
        {
            if (!_configured)
            {
                Configure();
            }
        }
    }

    /// <summary>The intra-op thread count last configured, or null before <see cref="Configure"/>.</summary>
    public static int? Threads { get; private set; }

    /// <summary>Whether glibc's malloc was told to keep training buffers in the heap (see <see cref="NativeAllocator"/>).</summary>
    public static bool AllocatorTuned { get; private set; }

    /// <summary>Whether convolutions use oneDNN (on channels-last tensors), as last configured.</summary>
    public static bool OneDnnEnabled => Path == ConvolutionPath.OneDnnChannelsLast;

    /// <summary>How Conv2D computes, as last configured.</summary>
    public static ConvolutionPath Path { get; private set; }

    /// <summary>The figures of the self-test that chose <see cref="Path"/>;
    /// null when it did not run (oneDNN not asked for, or not Linux).</summary>
    public static SelfTestResult? SelfTest { get; private set; }
}
