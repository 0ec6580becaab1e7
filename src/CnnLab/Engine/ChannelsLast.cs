using static TorchSharp.torch;

namespace CnnLab.Engine;

/// <summary>
/// Channels-last memory for NCHW-shaped tensors. TorchSharp 0.107 has no memory_format argument, but libtorch decides
/// a tensor's format from its strides, so an N x H x W x C copy viewed back as N x C x H x W is what
/// <c>x.contiguous(memory_format=torch.channels_last)</c> gives in PyTorch.
/// </summary>
public static class ChannelsLast
{
    /// <summary>Whether a 4-d tensor's strides are those of channels-last memory.</summary>
    public static bool Is(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4)
        {
            return false;
        }
        var (c, h, w) = (x.shape[1], x.shape[2], x.shape[3]);
        var strides = x.stride();
        return strides[1] == 1 && strides[3] == c && strides[2] == w * c && strides[0] == h * w * c;
    }

    /// <summary>The tensor in channels-last memory: itself (an alias) when it already is, else a copy. Differentiable.</summary>
    public static Tensor Of(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Is(x))
        {
            return x.alias();
        }
        using var nhwc = x.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }
}
