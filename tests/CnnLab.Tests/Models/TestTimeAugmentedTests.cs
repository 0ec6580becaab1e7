using CnnLab.Models;
using CnnLab.Tests.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models;

public sealed class TestTimeAugmentedTests
{
    [Fact]
    public void Flip_and_translate_averages_the_flips_of_the_image_and_of_its_one_pixel_shifts_reflected_at_the_border()
    {
        const int Height = 3, Width = 4;
        var pixels = Enumerable.Range(1, Height * Width).Select(v => (float)v).ToArray();
        using var image = tensor(pixels, new long[] { 1, 1, Height, Width });

        // The "model" returns its input flattened, so the result is the average of the augmented images themselves.
        using var averaged = TestTimeAugmented.Apply(TestTimeAugmentation.HorizontalFlipAndTranslate, image,
            x => x.reshape(x.shape[0], -1));

        static int Reflect(int i, int size) => i < 0 ? -i : i >= size ? 2 * size - 2 - i : i;
        float Pixel(int r, int c) => pixels[Reflect(r, Height) * Width + Reflect(c, Width)];
        float WithMirror(int r, int c, int shift) => (Pixel(r + shift, c + shift) + Pixel(r + shift, Width - 1 - c + shift)) / 2;
        var expected = Enumerable.Range(0, Height * Width).Select(i => (r: i / Width, c: i % Width))
            .Select(p => 0.5f * WithMirror(p.r, p.c, 0) + 0.25f * WithMirror(p.r, p.c, -1) + 0.25f * WithMirror(p.r, p.c, 1))
            .ToArray();
        Assert.Equal(expected, TestSupport.ToArray(averaged), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Flip_and_translate_keeps_the_output_shape_of_a_model()
    {
        using var model = TestSupport.SmallCnn(seed: 2);
        using var x = rand(new long[] { 5, 1, 12, 12 }, generator: new Generator(3));

        using var plain = model.Predict(x);
        using var averaged = model.Predict(x, augmentation: TestTimeAugmentation.HorizontalFlipAndTranslate);

        Assert.Equal(plain.shape, averaged.shape);
        Assert.Equal(Enumerable.Repeat(1f, 5).ToArray(), TestSupport.ToArray(averaged.sum(1)), new FloatTolerance(1e-5f));
    }
}
