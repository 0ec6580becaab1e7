using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

/// <summary>
/// Keras 3's RandomZoom: output pixel x samples the input at z * (x - c) + c about the centre c = (size - 1) / 2,
/// z = 1 + factor, so a positive factor zooms out and a negative one zooms in; checked against those coordinates by hand.
/// </summary>
public sealed class RandomZoomTests
{
    /// <summary>One 8 x 8 image whose pixel (row, column) holds 10 * row + column: bilinear sampling of it is exact.</summary>
    private static Tensor Ramp()
    {
        var values = new float[64];
        for (var i = 0; i < 64; i++)
        {
            values[i] = 10 * (i / 8) + i % 8;
        }
        return tensor(values, new long[] { 1, 1, 8, 8 });
    }

    private static float[] Apply(RandomZoom layer)
    {
        using var x = Ramp();
        layer.SeedRandom(1);
        layer.train();
        using var y = layer.forward(x);
        return TestSupport.ToArray(y);
    }

    private static void AssertPixels(float[] actual, Func<int, int, double> expected)
    {
        for (var i = 0; i < 64; i++)
        {
            var (row, column) = (i / 8, i % 8);
            Assert.True(Math.Abs(actual[i] - expected(row, column)) < 1e-4,
                $"pixel ({row}, {column}): {actual[i]}, expected {expected(row, column)}");
        }
    }

    [Fact]
    public void A_negative_factor_zooms_in_about_the_centre()
    {
        using var layer = new RandomZoom((-0.5, -0.5), null);

        // z = 0.5: x samples 0.5 * (x - 3.5) + 3.5 = 0.5 x + 1.75 on both axes (no width factor: the aspect ratio is kept).
        AssertPixels(Apply(layer), (r, c) => 10 * (0.5 * r + 1.75) + 0.5 * c + 1.75);
    }

    [Fact]
    public void A_positive_factor_zooms_out_and_fills_the_border()
    {
        using var layer = new RandomZoom((1, 1), null, fillMode: "constant", fillValue: 5);

        // z = 2: x samples 2 x - 3.5; rows and columns 0, 1, 6 and 7 fall wholly outside the image and take the fill value.
        static bool Inside(int i) => i is >= 2 and <= 5;
        AssertPixels(Apply(layer), (r, c) => Inside(r) && Inside(c) ? 10 * (2 * r - 3.5) + 2 * c - 3.5 : 5);
    }

    [Fact]
    public void A_width_factor_zooms_the_columns_on_their_own()
    {
        using var layer = new RandomZoom((0, 0), (-0.5, -0.5));

        AssertPixels(Apply(layer), (r, c) => 10 * r + 0.5 * c + 1.75);
    }

    [Fact]
    public void Nearest_interpolation_takes_the_nearest_pixel()
    {
        using var layer = new RandomZoom((0, 0), (-0.5, -0.5), interpolation: "nearest");
        var columns = new[] { 2, 2, 3, 3, 4, 4, 5, 5 }; // round(0.5 x + 1.75)

        AssertPixels(Apply(layer), (r, c) => 10 * r + columns[c]);
    }

    [Fact]
    public void Each_image_draws_its_zoom_within_the_range()
    {
        using var layer = new RandomZoom(0.3);
        using var x = Ramp().expand(64, 1, 8, 8).contiguous();
        layer.SeedRandom(3);
        layer.train();
        using var y = layer.forward(x);
        // The centre's horizontal slope is the zoom: d/dx of (z (x - 3.5) + 3.5) in the ramp's columns.
        using var slope = (y[.., 0, 3, 4] - y[.., 0, 3, 3]).contiguous();
        var zooms = TestSupport.ToArray(slope);

        Assert.All(zooms, z => Assert.InRange(z, 0.7f - 1e-4f, 1.3f + 1e-4f));
        Assert.True(zooms.Max() - zooms.Min() > 0.3, "the zooms should spread over the range");
    }

    [Fact]
    public void Factors_follow_Keras_single_values_are_symmetric_pairs_are_sorted_and_beyond_1_is_an_error()
    {
        using var single = new RandomZoom(-0.2);
        using var pair = new RandomZoom((0.3, -0.1), (0.2, 0.1));

        Assert.Equal((-0.2, 0.2), single.HeightFactor);
        Assert.Null(single.WidthFactor);
        Assert.Equal(((-0.1, 0.3), (0.1, 0.2)), (pair.HeightFactor, pair.WidthFactor!.Value));
        Assert.Equal("Invalid value for argument `heightFactor`. Expected a range (lower, upper) with -1 <= lower <= upper <= 1. " +
                     "Received: heightFactor=(-1.5, 1.5)",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new RandomZoom(1.5))));
        Assert.Equal("Invalid value for argument `interpolation`. Expected one of: bilinear, nearest. Received: interpolation=bicubic",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new RandomZoom(0.1, interpolation: "bicubic"))));
    }
}
