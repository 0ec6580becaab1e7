using System.Diagnostics;
using CnnLab.Data;

namespace CnnLab.Tests.Data;

/// <summary>
/// Hostile CSV files (issue 13, item 10): streamed field by field and bounded, a huge line or a sparse file is refused at
/// once with its row; labels that leave classes empty are refused naming the labels seen and the missing ones.
/// </summary>
public sealed class CsvBoundsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-csv-bounds-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private string Csv(params string[] lines)
    {
        var path = Path.Combine(_root, "images.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void A_stray_label_that_leaves_classes_empty_is_refused_naming_the_labels_seen_and_missing()
    {
        var rows = Enumerable.Range(0, 10).Select(k => $"{k},0,0,0,0").Append("255,1,2,3,4").ToArray();
        var path = Csv(rows);

        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path));

        Assert.Equal($"{path}: labels 0-9, 255 leave 245 of 256 classes without samples (10-254); the largest label, 255, " +
                     $"first appears on row 11. " +
                     "Labels must number the classes from 0 with none skipped: correct the stray labels, or pass class names " +
                     "(CsvImages.Load(path, classNames: ...)) to declare empty classes.", e.Message);
    }

    [Fact]
    public void Class_names_may_declare_classes_without_samples_and_bound_the_labels()
    {
        var path = Csv("0,0,0,0,0", "2,9,9,9,9");

        using var data = CsvImages.Load(path, classNames: new[] { "a", "b", "c" }, shuffle: DataShuffle.KeepFileOrder);
        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path, classNames: new[] { "a", "b" }));

        Assert.Equal(new long[] { 1, 0, 1 }, data.CountsPerClass());
        Assert.Equal($"{path}: row 2, column 1 is \"2\"; expected an integer label from 0 to 1.", e.Message);
    }

    [Fact]
    public void A_100_MB_line_is_refused_at_its_first_long_field_without_reading_the_rest()
    {
        var path = Path.Combine(_root, "long-line.csv");
        using (var file = new StreamWriter(path))
        {
            file.WriteLine("0,1,2,3");
            file.Write(new string('7', 100_000_000));
        }
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path));

        Assert.Equal($"{path}: row 2, column 1 is longer than 64 characters; expected an integer label or pixel value (or a short " +
                     $"header name). " +
                     "Is it a CSV of label,pixel1,...,pixelN rows?", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the long line must not be read into memory");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_10_GB_sparse_file_is_refused_at_once()
    {
        var path = Path.Combine(_root, "sparse.csv");
        using (var file = File.Create(path))
        {
            // Zero bytes that take no disk: the file the issue saw take 8.4 GB of memory.
            file.SetLength(10L << 30);
        }

        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path));

        Assert.StartsWith($"{path}: row 1, column 1 is longer than 64 characters;", e.Message);
    }

    [Fact]
    public void A_row_with_too_many_columns_is_refused_as_soon_as_it_passes_the_bound()
    {
        var wide = Csv("0," + string.Join(",", Enumerable.Repeat("0", CsvImages.MaxPixelsPerRow + 1)));
        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(wide));
        Assert.Equal($"{wide}: row 1 has more than 786,433 columns; a row holds a label and at most 786,432 pixels (a 512 x " +
            $"512 RGB image).", e.Message);

        var longer = Csv("label,p1,p2,p3,p4", "1,0,0,0,0", "0,1,1,1,1,1,1");
        var second = Assert.Throws<InvalidDataException>(() => CsvImages.Load(longer));
        Assert.Equal($"{longer}: row 3 has more than 5 columns; expected 5 (a label and 4 pixels).", second.Message);
    }

    [Fact]
    public void A_file_past_the_bound_on_pixel_values_is_refused_at_the_row_that_crosses_it()
    {
        var path = Csv(Enumerable.Range(0, 6).Select(i => $"{i % 2},1,2,3,4").ToArray());

        using var fits = CsvImages.Load(path, null, null, null, maxPixels: 24);
        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path, null, null, null, maxPixels: 20));

        Assert.Equal(6, fits.Count);
        Assert.Equal($"{path}: row 6 takes the file past 20 pixel values, the most one CSV file may hold (5 rows of 4 pixels so far). " +
                     "Split the file, or use a folder of images.", e.Message);
    }

    [Fact]
    public void Rows_are_shuffled_with_seed_0_unless_the_file_order_is_kept()
    {
        var path = Csv(Enumerable.Range(0, 20).Select(i => $"{i / 10},{i},0,0,0").ToArray());

        using var kept = CsvImages.Load(path, shuffle: DataShuffle.KeepFileOrder);
        using var shuffled = CsvImages.Load(path);
        using var again = CsvImages.Load(path, shuffle: DataShuffle.WithSeed(0));
        using var other = CsvImages.Load(path, shuffle: DataShuffle.WithSeed(1));

        float[] FirstPixels(Dataset d) => d.Images[.., 0, 0, 0].mul(255).round().data<float>().ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), FirstPixels(kept));
        var order = DataShuffle.Default.Order(20);
        Assert.Equal(order.Select(i => (float)i), FirstPixels(shuffled));
        Assert.NotEqual(Enumerable.Range(0, 20), order);
        Assert.Equal(FirstPixels(shuffled), FirstPixels(again));
        Assert.NotEqual(FirstPixels(shuffled), FirstPixels(other));
        // Each label stays with its image.
        Assert.Equal(order.Select(i => (long)(i / 10)), shuffled.Labels.data<long>().ToArray());
    }
}
