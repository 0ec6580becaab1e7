using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Engine;

/// <summary>
/// A convolution on oneDNN's channels-last path, as <see cref="Layers.Conv2D"/> runs it and
/// <see cref="ConvolutionSelfTest"/> checks it: input and kernel in channels-last memory, and one kernel routed around.
/// </summary>
internal static class OneDnnConvolution
{
    /// <summary>
    /// The convolution of <paramref name="input"/> (N, C, H, W, any layout) with <paramref name="kernel"/>; the output
    /// comes out channels-last. Differentiable in every argument.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor kernel, Tensor? bias, long[] strides, long[]? padding)
    {
        if (input.shape[1] == 1 && input.requires_grad)
        {
            // oneDNN 3.7.1's backward-data kernel for one input channel (jit:avx512_core, the channel padded to a block of
            // 16) returned gradients off by 12-36% on an AMD EPYC family 26, by thread count; two channels are exact. So a
            // one-channel input whose gradient is wanted goes in with a zero second channel, and the kernel with a zero
            // second slice: the output is the same sum, and the input's gradient is the first channel's. An image fed
            // to the first layer does not need its gradient and keeps the direct call.
            using var zeroInput = zeros_like(input);
            using var wideInput = cat(new[] { input, zeroInput }, 1);
            using var zeroKernel = zeros_like(kernel);
            using var wideKernel = cat(new[] { kernel, zeroKernel }, 1);
            return Direct(wideInput, wideKernel, bias, strides, padding);
        }
        return Direct(input, kernel, bias, strides, padding);
    }

    /// <summary>oneDNN's kernels as they are, without the route: for the self-test's record of what it routes around.</summary>
    public static Tensor Direct(Tensor input, Tensor kernel, Tensor? bias, long[] strides, long[]? padding)
    {
        using var channelsLast = ChannelsLast.Of(input);
        using var kernelLayout = ChannelsLast.Of(kernel);
        return F.conv2d(channelsLast, kernelLayout, bias, strides: strides, padding: padding);
    }
}
