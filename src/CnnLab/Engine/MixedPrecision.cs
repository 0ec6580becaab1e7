using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Engine;

/// <summary>How a model computes: Keras' dtype policies "float32" and "mixed_bfloat16".</summary>
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Float32,

    /// <summary>
    /// Keras' mixed_bfloat16: weights and the optimizer in float32; convolutions and matrix products, and the layers
    /// between them, in bfloat16 (oneDNN's bf16 kernels); BatchNormalization's statistics, softmax and the loss in float32.
    /// </summary>
    MixedBFloat16,
}

/// <summary>
/// The mixed_bfloat16 policy while a model trains (<see cref="Use"/>; layers read <see cref="Active"/>), whether this
/// machine may use it (a CPU with bf16 instructions, the oneDNN path, and a self-test of bf16 convolutions against
/// float32 ones), and the casts the layers share.
/// </summary>
public static class MixedPrecision
{
    /// <summary>Largest relative error of a bf16 convolution (output and gradients) against float32 accepted: bfloat16
    /// keeps 8 bits of mantissa (a relative step of 2^-8 = 3.9e-3) and oneDNN accumulates in float32.</summary>
    public const double Tolerance = 3e-2;

    [ThreadStatic]
    private static bool t_active;

    private static readonly object Gate = new();
    private static SelfTestResult? _selfTest;

    /// <summary>Keras' names of the policies, in <see cref="Precision"/>'s order.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "float32", "mixed_bfloat16" };

    /// <summary>Whether layers on this thread compute in bfloat16 now.</summary>
    public static bool Active => t_active;

    /// <summary>Keras' name of a policy.</summary>
    public static string Name(Precision precision) => Names[(int)precision];

    /// <summary>The policy of a Keras name; another name is an error listing the two.</summary>
    public static Precision Parse(string name) => Names.ToList().IndexOf(name ?? "") is var i and >= 0 ? (Precision)i
        : throw new ArgumentException($"Invalid value for argument `precision`. Expected one of: {string.Join(", ", Names)}. " +
                                      $"Received: precision={name}", nameof(name));

    /// <summary>
    /// Why this machine cannot train in mixed_bfloat16, in one line; null when it can: the CPU has AVX512_BF16 or AMX
    /// (without them oneDNN emulates bf16, slower than float32), convolutions run on the oneDNN path, and the self-test
    /// (<see cref="SelfTest"/>) passed.
    /// </summary>
    public static string? Unavailable()
    {
        TorchEngine.EnsureConfigured();
        var (model, _, flags) = EngineReport.ReadCpuInfo();
        if (!flags.Contains("avx512_bf16") && !flags.Contains("amx_bf16"))
        {
            return $"mixed_bfloat16 needs a CPU with AVX512_BF16 or AMX-BF16 instructions, and this one ({model}) has neither";
        }
        if (TorchEngine.Path != ConvolutionPath.OneDnnChannelsLast)
        {
            return "mixed_bfloat16 runs on oneDNN's bf16 kernels, and convolutions here use libtorch's native path " +
                   "(CNNLAB_ONEDNN=0, or the oneDNN self-test failed: see cnnlab doctor)";
        }
        var test = SelfTest;
        return test.Passed ? null : $"mixed_bfloat16's self-test failed on this machine ({test})";
    }

    /// <summary>The bf16 convolutions and dense product against float32, run once per process.</summary>
    public static SelfTestResult SelfTest
    {
        get
        {
            lock (Gate)
            {
                return _selfTest ??= RunSelfTest();
            }
        }
    }

    /// <summary>
    /// The precision a training asked for <paramref name="requested"/> gets here: mixed_bfloat16 where
    /// <see cref="Unavailable"/> says nothing against it, else float32, with the reason written to
    /// <paramref name="warnings"/> (stderr by default) in one line.
    /// </summary>
    public static Precision Resolve(Precision requested, TextWriter? warnings = null)
    {
        if (requested == Precision.Float32 || Unavailable() is not { } reason)
        {
            return requested;
        }
        (warnings ?? Console.Error).WriteLine($"CnnLab: {reason}; training in float32.");
        return Precision.Float32;
    }

    /// <summary>Layers on this thread compute with <paramref name="precision"/> until the result is disposed.</summary>
    public static IDisposable Use(Precision precision)
    {
        var previous = t_active;
        t_active = precision == Precision.MixedBFloat16;
        return new Restore(previous);
    }

    /// <summary>A tensor in the compute dtype: bfloat16 while <see cref="Active"/> (a copy, differentiable), else an alias.</summary>
    public static Tensor Compute(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return t_active && x.dtype == ScalarType.Float32 ? x.to(ScalarType.BFloat16) : x.alias();
    }

    /// <summary>A tensor in float32: a copy of a bfloat16 one, else an alias (statistics, softmax, losses).</summary>
    public static Tensor Float32(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.dtype == ScalarType.BFloat16 ? x.to(ScalarType.Float32) : x.alias();
    }

    private static SelfTestResult RunSelfTest()
    {
        var errors = new List<(string Name, double Error)>();
        var notes = new List<string>();
        using var generator = new Generator(20261206);
        foreach (var (inChannels, outChannels, kernel, size) in ConvolutionSelfTest.Shapes)
        {
            using var scope = NewDisposeScope();
            var x = rand(new long[] { 4, inChannels, size, size }, generator: generator).sub_(0.5);
            var w = rand(new long[] { outChannels, inChannels, kernel, kernel }, generator: generator).sub_(0.5);
            var upstream = rand(new long[] { 4, outChannels, size, size }, generator: generator).sub_(0.5);
            var pad = kernel % 2 == 0 ? new long[] { 0, 1, 0, 1 } : new long[] { 1, 1, 1, 1 };
            var reference = Convolve(x, w, pad, upstream, ScalarType.Float32);
            // The route Conv2D takes: an image's few channels convolve in float32 and only the output goes on in bf16.
            var few = inChannels < Layers.Conv2D.FewChannels;
            var mixed = Convolve(x, w, pad, upstream, few ? ScalarType.Float32 : ScalarType.BFloat16, roundOutput: few);
            var name = string.Create(CultureInfo.InvariantCulture,
                $"bf16 conv {inChannels}->{outChannels} {kernel}x{kernel} at {size}x{size}");
            if (few)
            {
                // What that route avoids, measured: said when oneDNN's bf16 kernel is wrong here, not only slow.
                var direct = Convolve(x, w, pad, upstream, ScalarType.BFloat16, direct: true);
                var error = RelativeError(direct.Output, reference.Output);
                if (!(error < Tolerance))
                {
                    notes.Add(string.Create(CultureInfo.InvariantCulture,
                        $"oneDNN's bf16 kernel for {inChannels} input channel(s) is off by {error:0.0e+00} here ({name} output); " +
                        $"Conv2D computes so few channels in float32, checked above"));
                }
            }
            errors.Add(($"{name} output", RelativeError(mixed.Output, reference.Output)));
            errors.Add(($"{name} input gradient", RelativeError(mixed.InputGradient, reference.InputGradient)));
            errors.Add(($"{name} weight gradient", RelativeError(mixed.WeightGradient, reference.WeightGradient)));
        }
        using (NewDisposeScope())
        {
            var x = rand(new long[] { 50, 2940 }, generator: generator).sub_(0.5);
            var w = rand(new long[] { 32, 2940 }, generator: generator).sub_(0.5);
            var mixed = F.linear(x.to(ScalarType.BFloat16), w.to(ScalarType.BFloat16)).to(ScalarType.Float32);
            errors.Add(("bf16 dense 2940->32 output", RelativeError(mixed, F.linear(x, w))));
        }
        return new SelfTestResult(errors, Tolerance) { Notes = notes };
    }

    private static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Convolve(Tensor x, Tensor w, long[] pad,
        Tensor upstream, ScalarType dtype, bool roundOutput = false, bool direct = false)
    {
        var input = x.detach().requires_grad_(true);
        var weight = w.detach().requires_grad_(true);
        var padded = ChannelsLast.Of(F.pad(input, pad)).to(dtype);
        // Through the route Conv2D takes (OneDnnConvolution), the float32 reference included: oneDNN's own float32
        // backward-data kernel for one channel is wrong on some CPUs, and reads memory it never wrote (NaN at times).
        var output = direct
            ? F.conv2d(padded, ChannelsLast.Of(weight).to(dtype))
            : OneDnnConvolution.Apply(padded, weight.to(dtype), null, Unit, null);
        output = (roundOutput ? output.to(ScalarType.BFloat16) : output).to(ScalarType.Float32);
        output.backward(new[] { upstream });
        return (output.detach(), input.grad!, weight.grad!);
    }

    private static readonly long[] Unit = { 1, 1 };

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        using var difference = (actual - expected).abs().max();
        using var scale = expected.abs().max();
        return difference.item<float>() / Math.Max(scale.item<float>(), 1e-30f);
    }

    private sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => t_active = previous;
    }
}
