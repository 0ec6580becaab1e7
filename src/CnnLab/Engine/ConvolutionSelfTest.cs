using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Engine;

/// <summary>
/// Checks, before the fast path is trusted, that oneDNN on channels-last tensors computes what libtorch's native
/// kernels compute: the forward output and the input and weight gradients of every convolution shape the notebook's
/// models use (and a Dense layer's matrix product), with seeded random data. This class of bug is silent, so it is
/// measured on the machine that will train, not assumed.
/// </summary>
public static class ConvolutionSelfTest
{
    /// <summary>Largest relative error (max |fast - native| / max |native|) accepted.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The shapes checked: input channels, output channels, kernel, image
    /// size (the notebook's six convolutions at their resolutions).</summary>
    public static IReadOnlyList<(int In, int Out, int Kernel, int Size)> Shapes { get; } = new[]
    {
        (1, 20, 3, 28), (20, 20, 3, 28), (20, 40, 2, 14), (40, 40, 2, 14), (40, 60, 2, 7), (60, 60, 2, 7),
    };

    /// <summary>
    /// Runs every shape through both paths and returns the figures. Switches libtorch's oneDNN flag while it runs and
    /// leaves it off. <paramref name="corruptFast"/> lets a test force a disagreement.
    /// </summary>
    public static SelfTestResult Run(Func<Tensor, Tensor>? corruptFast = null)
    {
        var errors = new List<(string Name, double Error)>();
        var notes = new List<string>();
        using var generator = new TorchSharp.torch.Generator(20261128);
        try
        {
            foreach (var (inChannels, outChannels, kernel, size) in Shapes)
            {
                using var scope = NewDisposeScope();
                var x = rand(new long[] { 4, inChannels, size, size }, generator: generator).sub_(0.5);
                var w = rand(new long[] { outChannels, inChannels, kernel, kernel }, generator: generator).sub_(0.5);
                var b = rand(new long[] { outChannels }, generator: generator);
                // Keras' "same" padding of an even kernel: the extra row and column after, as Conv2D pads.
                var pad = kernel % 2 == 0 ? new long[] { 0, 1, 0, 1 } : new long[] { 1, 1, 1, 1 };
                var upstream = rand(new long[] { 4, outChannels, size, size }, generator: generator).sub_(0.5);
                var native = Convolve(x, w, b, pad, upstream, fast: false, null);
                var fast = Convolve(x, w, b, pad, upstream, fast: true, corruptFast);
                var name =
                    string.Create(CultureInfo.InvariantCulture, $"conv {inChannels}->{outChannels} {kernel}x{kernel} at {size}x{size}");
                if (inChannels == 1)
                {
                    // What OneDnnConvolution routes around, measured rather than assumed: said when it is wrong here.
                    var direct = Convolve(x, w, b, pad, upstream, fast: true, null, direct: true);
                    var error = RelativeError(direct.InputGradient, native.InputGradient);
                    if (!(error < Tolerance))
                    {
                        notes.Add(string.Create(CultureInfo.InvariantCulture,
                            $"oneDNN's own backward-data kernel for one input channel is off by {error:0.0e+00} here " +
                            $"({name}); CnnLab gives it a zero second channel, checked above"));
                    }
                }
                errors.Add(($"{name} output", RelativeError(fast.Output, native.Output)));
                errors.Add(($"{name} input gradient", RelativeError(fast.InputGradient, native.InputGradient)));
                errors.Add(($"{name} weight gradient", RelativeError(fast.WeightGradient, native.WeightGradient)));
            }
            using (NewDisposeScope())
            {
                var x = rand(new long[] { 50, 2940 }, generator: generator).sub_(0.5);
                var w = rand(new long[] { 32, 2940 }, generator: generator).sub_(0.5);
                NativeContext.SetOneDnnEnabled(false);
                var native = F.linear(x, w);
                NativeContext.SetOneDnnEnabled(true);
                var fast = F.linear(x, w);
                errors.Add(("dense 2940->32 output", RelativeError(corruptFast?.Invoke(fast) ?? fast, native)));
            }
        }
        finally
        {
            NativeContext.SetOneDnnEnabled(false);
        }
        return new SelfTestResult(errors) { Notes = notes };
    }

    private static readonly long[] Unit = { 1, 1 };

    private static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Convolve(
        Tensor x, Tensor w, Tensor b, long[] pad, Tensor upstream, bool fast, Func<Tensor, Tensor>? corrupt, bool direct = false)
    {
        NativeContext.SetOneDnnEnabled(fast);
        var input = x.detach().requires_grad_(true);
        var weight = w.detach().requires_grad_(true);
        var padded = F.pad(input, pad);
        var output = fast
            ? (direct ? OneDnnConvolution.Direct(padded, weight, b, Unit, null) : OneDnnConvolution.Apply(padded, weight, b, Unit, null))
            : F.conv2d(padded, weight, b);
        if (fast && corrupt is not null)
        {
            output = corrupt(output);
        }
        output.backward(new[] { upstream });
        return (output.detach().contiguous(), input.grad!.contiguous(), weight.grad!.contiguous());
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        using var difference = actual.to(ScalarType.Float64).sub(expected.to(ScalarType.Float64));
        var scale = expected.abs().max().item<float>();
        var error = difference.abs().max().item<double>() / Math.Max(scale, 1e-12);
        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }
}
