using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

public class PoolingTests
{
    [Theory]
    [InlineData(2, 2, false, true)]
    [InlineData(3, 2, true, true)]
    [InlineData(2, 2, true, true)]
    [InlineData(2, 2, false, false)]
    [InlineData(3, 2, true, false)]
    [InlineData(2, 1, true, false)]
    public void Output_matches_a_plain_reference(int pool, int stride, bool same, bool max)
    {
        var x = ReferenceOps.Random4(2, 3, 7, 5, seed: 2);
        Pooling2D layer = max
            ? new MaxPooling2D(pool, stride, same ? Padding.Same : Padding.Valid)
            : new AveragePooling2D(pool, stride, same ? Padding.Same : Padding.Valid);
        layer.Build(Shape.Image(7, 5, 3));

        using var input = tensor(ReferenceOps.Flatten(x), new long[] { 2, 3, 7, 5 });
        using var output = layer.forward(input);
        var expected = ReferenceOps.Pool(x, pool, stride, same, max);

        Assert.Equal(new long[] { 2, 3, expected.GetLength(2), expected.GetLength(3) }, output.shape);
        var actual = TestSupport.ToArray(output);
        var reference = ReferenceOps.Flatten(expected);
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - reference[i]) < 1e-6, $"element {i}: {actual[i]} vs {reference[i]}");
        }
    }

    [Fact]
    public void Strides_default_to_the_pool_size()
    {
        var layer = new MaxPooling2D(3);

        Assert.Equal(new Size2(3, 3), layer.Strides);
        Assert.Equal(Shape.Image(2, 2, 5), layer.ComputeOutputShape(Shape.Image(7, 7, 5)));
    }

    [Fact]
    public void A_pool_larger_than_the_input_is_rejected()
    {
        var layer = new MaxPooling2D(4, name: "pool");

        var e = Assert.Throws<ArgumentException>(() => layer.Build(Shape.Image(3, 3, 2)));

        Assert.Equal("Layer \"pool\" cannot apply pool_size=(4, 4) with padding=\"valid\" to an input of spatial size (3, 3): " +
                     "the pool is larger than the input. Use a smaller pool_size or padding=\"same\".", e.Message);
    }
}
