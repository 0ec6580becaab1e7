namespace CnnLab.Engine;

/// <summary>How Conv2D computes.</summary>
public enum ConvolutionPath
{
    /// <summary>libtorch's own convolution kernels (oneDNN off), on NCHW tensors.</summary>
    Native,

    /// <summary>
    /// oneDNN's kernels, fed only channels-last (NHWC-strided) activations and weights: on this project's machines
    /// oneDNN 3.7 is wrong on NCHW tensors whose channel counts are not multiples of 16, and right on channels-last ones.
    /// </summary>
    OneDnnChannelsLast,
}
