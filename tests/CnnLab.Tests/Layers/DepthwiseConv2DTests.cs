using CnnLab.Core;
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
        using var reference = F.conv2d(F.pad(x64, new long[] { left, right, top, bottom }), w64, strides: new long[] { stride, stride },
            groups: 3);
        reference.sum().backward();

        Assert.Equal(reference.shape, output.shape);
        Assert.Equal(layer.OutputShape!.ToTensorShape(2), output.shape);
        Assert.True((output.to(ScalarType.Float64) - reference).abs().max().item<double>() < 1e-5);
        Assert.True((x.grad!.to(ScalarType.Float64) - x64.grad!).abs().max().item<double>() < 1e-5);
        Assert.True((layer.Kernel.grad!.to(ScalarType.Float64) - w64.grad!).abs().max().item<double>() < 1e-4);
    }
}

/// <summary>Reshape in Keras' channels-last element order.</summary>
public class ReshapeTests
{
    [Fact]
    public void An_image_reshaped_to_a_vector_lists_pixels_then_channels_and_back()
    {
        using var layer = new Reshape(new[] { -1 });
        layer.Build(Shape.Image(2, 2, 2));
        // NCHW: channel 0 = 0 1 2 3, channel 1 = 10 11 12 13; Keras (h, w, c) order: 0 10 1 11 2 12 3 13.
        using var x = tensor(new float[] { 0, 1, 2, 3, 10, 11, 12, 13 }, new long[] { 1, 2, 2, 2 });

        using var flat = layer.forward(x);

        Assert.Equal(new float[] { 0, 10, 1, 11, 2, 12, 3, 13 }, TestSupport.ToArray(flat));
        using var back = new Reshape(new[] { 2, 2, 2 });
        back.Build(new Shape(8));
        Assert.Equal(TestSupport.ToArray(x), TestSupport.ToArray(back.forward(flat)));
        Assert.Equal("Layer \"reshape\" cannot reshape input (None, 2, 2, 2) (8 values) to (3, 3): the sizes must multiply to " +
            "the same count.",
            Assert.Throws<ArgumentException>(() => new Reshape(new[] { 3, 3 }).Build(Shape.Image(2, 2, 2))).Message);
    }
}
