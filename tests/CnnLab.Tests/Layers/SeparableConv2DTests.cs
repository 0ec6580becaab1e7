using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Tests.Layers;

/// <summary>SeparableConv2D against libtorch's grouped then 1x1 convolution in float64 (native kernels; oneDNN takes no float64).</summary>
public class SeparableConv2DTests
{
    [Theory]
    [InlineData(3, 3, 1, "valid", 1)]
    [InlineData(2, 2, 1, "same", 2)]
    [InlineData(3, 2, 2, "same", 1)]
    public void Outputs_and_gradients_match_a_grouped_then_pointwise_convolution(int kh, int kw, int stride, string padding, int multiplier)
    {
        using var layer = new SeparableConv2D(5, new Size2(kh, kw), new Size2(stride, stride), PaddingRules.Parse(padding), multiplier);
        layer.Build(Shape.Image(9, 8, 3), new TorchSharp.torch.Generator(4));
        using (no_grad())
        {
            layer.Bias!.uniform_(-0.5, 0.5);
        }
        using var x = randn(2, 3, 9, 8, generator: new TorchSharp.torch.Generator(5)).requires_grad_(true);

        using var output = layer.forward(x);
        output.sum().backward();

        using var x64 = x.detach().to(ScalarType.Float64).requires_grad_(true);
        using var d64 = layer.DepthwiseKernel.detach().to(ScalarType.Float64).requires_grad_(true);
        using var p64 = layer.PointwiseKernel.detach().to(ScalarType.Float64).requires_grad_(true);
        using var b64 = layer.Bias!.detach().to(ScalarType.Float64);
        var (top, bottom) = padding == "same" ? PaddingRules.SamePadding(9, kh, stride) : (0, 0);
        var (left, right) = padding == "same" ? PaddingRules.SamePadding(8, kw, stride) : (0, 0);
        using var depthwise = F.conv2d(F.pad(x64, new long[] { left, right, top, bottom }), d64, strides: new long[] { stride, stride },
            groups: 3);
        using var reference = F.conv2d(depthwise, p64, b64);
        reference.sum().backward();

        Assert.Equal(reference.shape, output.shape);
        Assert.Equal(layer.OutputShape!.ToTensorShape(2), output.shape);
        Assert.True((output.to(ScalarType.Float64) - reference).abs().max().item<double>() < 1e-5);
        Assert.True((x.grad!.to(ScalarType.Float64) - x64.grad!).abs().max().item<double>() < 1e-5);
        Assert.True((layer.DepthwiseKernel.grad!.to(ScalarType.Float64) - d64.grad!).abs().max().item<double>() < 1e-4);
        Assert.True((layer.PointwiseKernel.grad!.to(ScalarType.Float64) - p64.grad!).abs().max().item<double>() < 1e-4);
    }

    /// <summary>
    /// Keras' counts: SeparableConv2D(32, 3) on (28, 28, 1) has 9 depthwise + 32 pointwise + 32 bias = 73 weights;
    /// SeparableConv2D(64, (3, 3), depth_multiplier=2, use_bias=False) on 32 channels has 576 + 4,096 = 4,672.
    /// </summary>
    [Fact]
    public void Parameter_counts_are_Keras()
    {
        using var model = new Sequential(Shape.Image(28, 28, 1));
        model.Add(new SeparableConv2D(32, 3, padding: Padding.Same));
        model.Add(new SeparableConv2D(64, 3, depthMultiplier: 2, useBias: false));

        Assert.Equal(new long[] { 73, 4_672 }, model.Layers.Select(l => l.TrainableParamCount).ToArray());
        Assert.Equal(Shape.Image(26, 26, 64), model.OutputShape);
    }

    [Fact]
    public void Both_regularizers_add_to_the_loss()
    {
        using var layer = new SeparableConv2D(2, 2, depthwiseRegularizer: Regularizer.OfL2(0.1),
            pointwiseRegularizer: Regularizer.OfL1L2(0.5, 0));
        layer.Build(Shape.Image(4, 4, 2), new TorchSharp.torch.Generator(1));

        using var loss = layer.RegularizationLoss()!;

        var expected = 0.1 * layer.DepthwiseKernel.square().sum().item<float>() + 0.5 * layer.PointwiseKernel.abs().sum().item<float>();
        Assert.Equal(expected, loss.item<float>(), 5);
    }
}
