using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using Onnx;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>
/// The depthwise convolution that <see cref="DepthwiseConv2D"/> is and <see cref="SeparableConv2D"/> begins with: each
/// input channel convolved with its own depth_multiplier kernels, kept in PyTorch's grouped layout (channels x
/// multiplier, 1, height, width). Computed as patches times kernels rather than a grouped convolution, so it never
/// reaches the oneDNN kernels the engine's self-test has not checked.
/// </summary>
internal static class DepthwiseStep
{
    /// <summary>Keras' check of depth_multiplier.</summary>
    public static int RequireMultiplier(int depthMultiplier) => depthMultiplier >= 1 ? depthMultiplier
        : throw new ArgumentException(
            $"Invalid value for argument `depth_multiplier`. Expected a strictly positive value. " +
            $"Received depth_multiplier={depthMultiplier}.", nameof(depthMultiplier));

    /// <summary>F.pad's (left, right, top, bottom) for Keras' padding; zeros for "valid".</summary>
    public static long[] Pads(Shape input, Size2 kernel, Size2 strides, Padding padding)
    {
        if (padding != Padding.Same)
        {
            return new long[4];
        }
        var (top, bottom) = PaddingRules.SamePadding(input.Height, kernel.Height, strides.Height);
        var (left, right) = PaddingRules.SamePadding(input.Width, kernel.Width, strides.Width);
        return new long[] { left, right, top, bottom };
    }

    /// <summary>
    /// The depthwise convolution of <paramref name="input"/> (N, C, H, W) without bias: (N, C x multiplier, out_height x
    /// out_width), channel c x multiplier + m from kernel m of channel c, as PyTorch's grouped convolution orders them.
    /// </summary>
    public static (Tensor Output, long Height, long Width) Apply(Tensor input, Tensor kernel, long[] pads, Size2 kernelSize, Size2 strides,
        int multiplier)
    {
        var (n, channels) = (input.shape[0], input.shape[1]);
        var padded = pads.Any(p => p > 0) ? F.pad(input, pads) : input;
        var (height, width) = ((padded.shape[2] - kernelSize.Height) / strides.Height + 1,
            (padded.shape[3] - kernelSize.Width) / strides.Width + 1);
        var window = (long)kernelSize.Height * kernelSize.Width;
        var patches = F.unfold(padded, (kernelSize.Height, kernelSize.Width), stride: (strides.Height, strides.Width)).view(n, channels,
            window, height * width);
        var output = einsum("nckl,cmk->ncml", patches, kernel.view(channels, multiplier, window)).reshape(n, channels * multiplier,
            height * width);
        return (output, height, width);
    }

    /// <summary>The ONNX Conv attributes: the window, TensorFlow's pads and one group per input channel.</summary>
    public static List<AttributeProto> OnnxAttributes(Shape input, Size2 kernel, Size2 strides, Padding padding)
    {
        var attributes = OnnxGraph.Window(input, kernel, strides, padding);
        attributes.Add(OnnxGraph.Int("group", input.Channels));
        return attributes;
    }

    /// <summary>The PyTorch modules: TensorFlow's "same" padding as ZeroPad2d where there is any, then the grouped Conv2d.</summary>
    public static void ToPyTorch(PyTorchModule module, Shape input, Size2 kernel, Size2 strides, Padding padding, int multiplier,
        Tensor weight, Tensor? bias)
    {
        var (top, bottom, left, right) = padding == Padding.Same ? PyTorchModule.SamePads(input, kernel, strides) : (0, 0, 0, 0);
        if (top + bottom + left + right > 0)
        {
            module.Emit(PyTorchModule.F($"nn.ZeroPad2d(({left}, {right}, {top}, {bottom}))"));
        }
        var channels = input.Channels;
        var window = PyTorchModule.F($"kernel_size=({kernel.Height}, {kernel.Width}), stride=({strides.Height}, {strides.Width})");
        var hasBias = PyTorchModule.Py(bias is not null);
        module.Emit(PyTorchModule.F($"nn.Conv2d({channels}, {channels * multiplier}, {window}, groups={channels}, bias={hasBias})"),
            PyTorchModule.WeightAndBias(weight, bias));
    }
}
