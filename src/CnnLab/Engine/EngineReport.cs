using System.Globalization;
using System.Text;

namespace CnnLab.Engine;

/// <summary>What the engine runs on and how it was set up: the CPU and its instruction sets, the libtorch
/// and oneDNN versions, threads, the convolution self-test's figures and the path in use.</summary>
public static class EngineReport
{
    /// <summary>The CPU's instruction-set extensions that matter to libtorch's kernels, in this order.</summary>
    private static readonly string[] InterestingFlags = { "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
        "avx512_bf16", "amx_tile" };

    /// <summary>Configures the engine if needed, then describes it, one "name: value" per line.</summary>
    public static string Describe()
    {
        TorchEngine.EnsureConfigured();
        var (model, family, flags) = ReadCpuInfo();
        var text = new StringBuilder();
        void Line(string name, string value) => text.Append(CultureInfo.InvariantCulture, $"{name,-22}{value}\n");
        Line("CPU", $"{model}{(family is null ? "" : $" (family {family})")}, {Environment.ProcessorCount} logical core(s)");
        Line("instruction sets", flags.Count == 0 ? "unknown (no /proc/cpuinfo)"
            : string.Join(" ", InterestingFlags.Where(flags.Contains)));
        Line("libtorch", $"{TorchSharp.torch.__version__} (TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version})");
        Line("libtorch kernels for", NativeContext.CpuCapability() ?? "unknown");
        Line("oneDNN", NativeContext.OneDnnVersion() ?? "unknown");
        Line("threads", string.Create(CultureInfo.InvariantCulture, $"{TorchEngine.Threads} intra-op") + (ThreadGovernor.Enabled
            ? $", fewer while other processes keep cores busy (now {ThreadGovernor.Threads}; {ThreadGovernor.Variable}=1): faster under " +
              "load, but results then depend on the load (each epoch's threads are recorded)"
            : ", fixed: the same seed gives the same results whatever else runs" +
              (OperatingSystem.IsLinux() ? $" ({ThreadGovernor.Variable}=1 lowers them under load, trading that for speed)" : "")));
        Line("OpenMP wait policy", OpenMpWaitPolicy.Current);
        Line("malloc thresholds", TorchEngine.AllocatorTuned ? "raised (buffers stay in the heap)" : "glibc's defaults");
        Line("convolution self-test", TorchEngine.SelfTest?.ToString() ?? "not run (oneDNN not asked for: CNNLAB_ONEDNN=0, or not Linux)");
        foreach (var (name, error) in TorchEngine.SelfTest?.Errors ?? Array.Empty<(string, double)>())
        {
            Line("", string.Create(CultureInfo.InvariantCulture, $"{error:0.0e+00}  {name}"));
        }
        var mixed = MixedPrecision.Unavailable();
        var bf16Tested = TorchEngine.Path == ConvolutionPath.OneDnnChannelsLast && flags.Contains("avx512_bf16");
        var notes = (TorchEngine.SelfTest?.Notes ?? Array.Empty<string>())
            .Concat(bf16Tested ? MixedPrecision.SelfTest.Notes : Array.Empty<string>());
        foreach (var note in notes)
        {
            Line("routed around", note);
        }
        Line("mixed precision", mixed is null
            ? $"mixed_bfloat16 available (--precision mixed_bfloat16); self-test {MixedPrecision.SelfTest}"
            : $"float32 only: {mixed}" + (bf16Tested && MixedPrecision.SelfTest.Passed ? $" (self-test {MixedPrecision.SelfTest})" : ""));
        Line("convolution path", TorchEngine.Path == ConvolutionPath.OneDnnChannelsLast
            ? "oneDNN on channels-last tensors (the self-test agrees with the native kernels)"
            : "libtorch's native kernels on NCHW tensors");
        return text.ToString();
    }

    internal static (string Model, string? Family, HashSet<string> Flags) ReadCpuInfo()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
        {
            return (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), null, new HashSet<string>());
        }
        string? model = null, family = null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                if (model is not null)
                {
                    break;    // the first processor's block is enough
                }
                continue;
            }
            var (key, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            switch (key)
            {
                case "model name":
                    model = value;
                    break;
                case "cpu family":
                    family = value;
                    break;
                case "flags":
                    flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
            }
        }
        return (model ?? "unknown", family, flags);
    }
}
