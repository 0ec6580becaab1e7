using CnnLab.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Tests.Layers;

/// <summary>DepthwiseConv2D against libtorch's grouped convolution in float64 (native kernels; oneDNN takes no float64).</summary>
public class DepthwiseConv2DTests
{
    [Theory]
    [InlineData(3, 3, 1, "valid", 1)]
    [InlineData(2, 2, 1, "same", 2)]
    [InlineData(3, 2, 2, "same", 1)]
    public void Outputs_and_gradients_match_a_grouped_convolution(int kh, int kw, int stride, string padding, int multiplier)
    {
        using var layer = new DepthwiseConv2D(new Size2(kh, kw), new Size2(stride, stride), PaddingRules.Parse(padding), multiplier);
        var shape = Shape.Image(9, 8, 3);
        layer.Build(shape, new TorchSharp.torch.Generator(4));
        using var x = randn(2, 3, 9, 8, generator: new TorchSharp.torch.Generator(5)).requires_grad_(true);

        using var output = layer.forward(x);
        output.sum().backward();

        using var x64 = x.detach().to(ScalarType.Float64).requires_grad_(true);
        using var w64 = layer.Kernel.detach().to(ScalarType.Float64).requires_grad_(true);
        var (top, bottom) = padding == "same" ? PaddingRules.SamePadding(9, kh, stride) : (0, 0);
        var (left, right) = padding == "same" ? PaddingRules.SamePadding(8, kw, stride) : (0, 0);
        using var reference = F.conv2d(F.pad(x64, new long[] { left, right, top, bottom }), w64, strides: new long[] { stride, stride }, groups: 3);
        reference.sum().backward();

        Assert.Equal(reference.shape, output.shape);
        Assert.Equal(layer.OutputShape!.ToTensorShape(2), output.shape);
        Assert.True((output.to(ScalarType.Float64) - reference).abs().max().item<double>() < 1e-5);
        Assert.True((x.grad!.to(ScalarType.Float64) - x64.grad!).abs().max().item<double>() < 1e-5);
        Assert.True((layer.Kernel.grad!.to(ScalarType.Float64) - w64.grad!).abs().max().item<double>() < 1e-4);
    }
}
