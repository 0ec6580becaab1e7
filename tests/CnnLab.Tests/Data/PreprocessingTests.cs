using CnnLab.Data;
using CnnLab.Studies.Reporting;
using static TorchSharp.torch;

namespace CnnLab.Tests.Data;

public class PreprocessingTests
{
    private static Dataset Sorted(int perClass, int classes)
    {
        var count = perClass * classes;
        var images = arange(count * 4, dtype: ScalarType.Float32).reshape(count, 1, 2, 2).div(count * 4);
        var labels = arange(count, dtype: ScalarType.Int64).div(perClass, rounding_mode: RoundingMode.floor);
        return new Dataset(images, labels, Enumerable.Range(0, classes).Select(i => $"c{i}").ToList());
    }

    [Fact]
    public void Stratified_split_keeps_each_class_share()
    {
        using var data = Sorted(perClass: 10, classes: 3);

        var (kept, held) = StratifiedSplit.Split(data, 0.3, seed: 1);

        Assert.Equal(new long[] { 7, 7, 7 }, kept.CountsPerClass());
        Assert.Equal(new long[] { 3, 3, 3 }, held.CountsPerClass());
        kept.Dispose();
        held.Dispose();
    }

    [Fact]
    public void Standardization_uses_training_statistics_per_channel()
    {
        using var train = new Dataset(tensor(new[] { 0f, 2f, 4f, 6f, 10f, 10f, 10f, 10f }, new long[] { 1, 2, 2, 2 }),
            tensor(new long[] { 0 }), new[] { "a" });
        using var test = new Dataset(tensor(new[] { 3f, 3f, 3f, 3f, 12f, 12f, 12f, 12f }, new long[] { 1, 2, 2, 2 }),
            tensor(new long[] { 0 }), new[] { "a" });

        var standardization = Standardization.Fit(train);
        standardization.Apply(test);

        Assert.Equal(new[] { 3f, 10f }, standardization.Mean);
        Assert.Equal((float)Math.Sqrt(5), standardization.Std[0], 5);
        Assert.Equal(0f, test.Images[0, 0, 0, 0].item<float>(), 5);
        Assert.Equal(2f / 1e-7f, test.Images[0, 1, 0, 0].item<float>(), 0);
    }

    [Fact]
    public void Sample_grid_writes_a_png_of_the_requested_grid()
    {
        using var data = Sorted(perClass: 5, classes: 2);
        var path = Path.Combine(Path.GetTempPath(), $"cnnlab-grid-{Guid.NewGuid():N}.png");
        try
        {
            SampleGrid.Save(data, path, rows: 3, seed: 1, cellSize: 40);

            using var image = SkiaSharp.SKBitmap.Decode(path);
            Assert.Equal(3 * 40, image.Width);
            Assert.Equal(3 * (40 + 18), image.Height);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
