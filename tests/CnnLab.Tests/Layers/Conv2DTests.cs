using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

public class Conv2DTests
{
    [Theory]
    [InlineData(2, 1, true)]   // even kernel, 'same': the extra row and column go to the bottom and right
    [InlineData(4, 1, true)]
    [InlineData(3, 1, true)]
    [InlineData(2, 2, true)]
    [InlineData(3, 2, true)]
    [InlineData(2, 1, false)]
    [InlineData(3, 2, false)]
    public void Output_matches_a_plain_reference_convolution(int kernel, int stride, bool same)
    {
        var x = ReferenceOps.Random4(2, 3, 7, 6, seed: 1);
        var layer = new Conv2D(4, kernel, strides: stride, padding: same ? Padding.Same : Padding.Valid);
        layer.Build(Shape.Image(7, 6, 3), new Generator(5));
        var weights = TestSupport.ToArray(layer.Kernel);
        var w = new float[4, 3, kernel, kernel];
        Buffer.BlockCopy(weights, 0, w, 0, weights.Length * sizeof(float));
        var bias = new[] { 0.1f, -0.2f, 0.3f, 0f };
        using (no_grad())
        {
            layer.Bias!.copy_(tensor(bias));
        }

        using var input = tensor(ReferenceOps.Flatten(x), new long[] { 2, 3, 7, 6 });
        using var output = layer.forward(input);
        var expected = ReferenceOps.Conv2D(x, w, bias, stride, same);

        Assert.Equal(new long[] { 2, 4, expected.GetLength(2), expected.GetLength(3) }, output.shape);
        Assert.Equal(new[] { expected.GetLength(2), expected.GetLength(3), 4 },
            layer.OutputShape!.Dimensions);
        var actual = TestSupport.ToArray(output);
        var reference = ReferenceOps.Flatten(expected);
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - reference[i]) < 1e-5, $"element {i}: {actual[i]} vs {reference[i]}");
        }
    }

    [Theory]
    [InlineData(28, 3, 1, "same", 28)]
    [InlineData(28, 2, 1, "same", 28)]
    [InlineData(28, 3, 1, "valid", 26)]
    [InlineData(7, 2, 2, "same", 4)]
    [InlineData(7, 2, 2, "valid", 3)]
    public void Output_length_follows_Keras(int input, int kernel, int stride, string padding, int expected)
    {
        var layer = new Conv2D(1, kernel, strides: stride, padding: PaddingRules.Parse(padding));

        Assert.Equal(Shape.Image(expected, expected, 1), layer.ComputeOutputShape(Shape.Image(input, input, 1)));
    }

    [Fact]
    public void Weights_are_glorot_uniform_and_biases_zero()
    {
        var layer = new Conv2D(20, 3);
        layer.Build(Shape.Image(28, 28, 1), new Generator(3));
        var limit = Math.Sqrt(6.0 / (9 * 1 + 9 * 20));

        Assert.True(layer.Kernel.abs().max().item<float>() <= limit);
        Assert.True(layer.Kernel.abs().max().item<float>() > 0.9 * limit);
        Assert.Equal(0f, layer.Bias!.abs().sum().item<float>());
        Assert.Equal(200, layer.TrainableParamCount);
    }

    [Fact]
    public void Zero_filters_is_rejected_in_Keras_words()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2D(0, 3));

        Assert.Equal("Invalid value for argument `filters`. Expected a strictly positive value. Received filters=0.",
            TestSupport.KerasMessage(e));
    }

    [Fact]
    public void A_kernel_larger_than_the_input_is_rejected()
    {
        var layer = new Conv2D(4, 5, name: "conv");

        var e = Assert.Throws<ArgumentException>(() => layer.Build(Shape.Image(3, 3, 1)));

        Assert.Equal("Layer \"conv\" cannot apply kernel_size=(5, 5) with padding=\"valid\" to an input of spatial size (3, 3): " +
                     "the kernel is larger than the input. Use a smaller kernel_size or padding=\"same\".", e.Message);
    }

    [Fact]
    public void Unknown_padding_string_lists_the_allowed_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => PaddingRules.Parse("full"));

        Assert.Equal("Invalid value for argument `padding`. Expected one of {\"valid\", \"same\"}. Received: padding=full",
            TestSupport.KerasMessage(e));
    }
}
