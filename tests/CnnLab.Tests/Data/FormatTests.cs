using CnnLab.Data;
using SkiaSharp;

namespace CnnLab.Tests.Data;

public sealed class FormatTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-formats-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Cifar10_batches_load_as_RGB_planes()
    {
        foreach (var name in Cifar10Reader.FileNames)
        {
            File.WriteAllBytes(Path.Combine(_root, name), Fixtures.CifarBatch(name == "test_batch.bin" ? 3 : 2));
        }

        using var splits = Cifar10Reader.Load(_root, DatasetCatalog.Cifar10.ClassNames, "test");

        Assert.Equal(new long[] { 10, 3, 32, 32 }, splits.Train.Images.shape);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, splits.Test.Images.shape);
        Assert.Equal(CnnLab.Core.Shape.Image(32, 32, 3), splits.InputShape);
        Assert.Equal(1 / 255f, splits.Train.Images[1, 0, 5, 5].item<float>(), 6);
        Assert.Equal(100 / 255f, splits.Train.Images[1, 1, 5, 5].item<float>(), 6);
        Assert.Equal(200 / 255f, splits.Train.Images[1, 2, 5, 5].item<float>(), 6);
        Assert.Equal(new long[] { 0, 1, 2 }, splits.Test.Labels.data<long>().ToArray());
    }

    [Fact]
    public void A_truncated_Cifar10_batch_names_the_file()
    {
        var path = Path.Combine(_root, "data_batch_1.bin");
        File.WriteAllBytes(path, Fixtures.CifarBatch(2).Take(5000).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read(new[] { path }, DatasetCatalog.Cifar10.ClassNames));

        Assert.Equal($"{path}: 5000 bytes is not a whole number of CIFAR-10 records of 3073 bytes (1 label + 3,072 pixels); " +
                     "the file is truncated or not a CIFAR-10 batch.", e.Message);
    }

    [Fact]
    public void A_truncated_gzip_IDX_file_is_an_error_naming_it()
    {
        var path = Path.Combine(_root, "train-images-idx3-ubyte.gz");
        var whole = Fixtures.IdxSet()["train-images-idx3-ubyte.gz"];
        File.WriteAllBytes(path, whole.Take(whole.Length / 2).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.StartsWith($"{path}: ", e.Message);
    }

    [Fact]
    public void Image_folder_decodes_PNG_and_JPEG_of_two_sizes_resized_to_a_declared_size()
    {
        Fixtures.Image(Path.Combine(_root, "cat", "a.png"), 8, 8, new SKColor(255, 0, 0));
        Fixtures.Image(Path.Combine(_root, "cat", "b.jpg"), 12, 10, new SKColor(255, 0, 0));
        Fixtures.Image(Path.Combine(_root, "dog", "c.png"), 8, 8, new SKColor(0, 0, 255));
        File.WriteAllText(Path.Combine(_root, "dog", "notes.txt"), "not an image");

        using var data = ImageFolder.Load(_root, ColorMode.Rgb, (6, 6), DataShuffle.KeepFileOrder);

        Assert.Equal(new long[] { 3, 3, 6, 6 }, data.Images.shape);
        Assert.Equal(new[] { "cat", "dog" }, data.ClassNames);
        Assert.Equal(new long[] { 0, 0, 1 }, data.Labels.data<long>().ToArray());
        Assert.Equal(1f, data.Images[0, 0, 3, 3].item<float>(), 2);
        Assert.Equal(0f, data.Images[0, 2, 3, 3].item<float>(), 2);
        Assert.Equal(1f, data.Images[2, 2, 3, 3].item<float>(), 2);
    }

    [Fact]
    public void Image_folder_in_grayscale_has_one_channel_of_luminance()
    {
        Fixtures.Image(Path.Combine(_root, "a", "x.png"), 5, 5, new SKColor(255, 0, 0));

        using var data = ImageFolder.Load(_root, ColorMode.Grayscale);

        Assert.Equal(new long[] { 1, 1, 5, 5 }, data.Images.shape);
        Assert.Equal(Math.Round(0.299 * 255) / 255, data.Images[0, 0, 2, 2].item<float>(), 3);
    }

    [Fact]
    public void Image_folder_with_mixed_sizes_and_no_declared_size_is_an_error()
    {
        Fixtures.Image(Path.Combine(_root, "a", "x.png"), 5, 5, SKColors.Red);
        Fixtures.Image(Path.Combine(_root, "a", "y.png"), 6, 5, SKColors.Red);

        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root, shuffle: DataShuffle.KeepFileOrder));

        Assert.Equal($"{Path.Combine(_root, "a", "y.png")}: image is 6x5 but {Path.Combine(_root, "a", "x.png")} is 5x5. " +
                     "Images of different sizes need a declared size to resize to (`imageSize`).", e.Message);
    }

    [Fact]
    public void An_empty_class_folder_is_an_error()
    {
        Fixtures.Image(Path.Combine(_root, "a", "x.png"), 5, 5, SKColors.Red);
        Directory.CreateDirectory(Path.Combine(_root, "b"));

        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root));

        Assert.Equal($"Class folder \"{Path.Combine(_root, "b")}\" has no PNG or JPEG images. Remove it or add images.", e.Message);
    }

    [Fact]
    public void An_unreadable_image_is_an_error_naming_it()
    {
        Fixtures.Image(Path.Combine(_root, "a", "x.png"), 5, 5, SKColors.Red);
        File.WriteAllBytes(Path.Combine(_root, "a", "y.png"), new byte[] { 1, 2, 3, 4 });

        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root, size: (5, 5)));

        Assert.Equal($"{Path.Combine(_root, "a", "y.png")}: the image could not be decoded; expected a valid PNG or JPEG file.", e.Message);
    }

    [Fact]
    public void Csv_with_a_header_loads_square_grayscale_images()
    {
        var path = Path.Combine(_root, "images.csv");
        File.WriteAllLines(path, new[] { "label,p1,p2,p3,p4", "1,0,255,0,255", "0,255,255,255,255", "2,0,0,0,0" });

        using var data = CsvImages.Load(path, shuffle: DataShuffle.KeepFileOrder);

        Assert.Equal(new long[] { 3, 1, 2, 2 }, data.Images.shape);
        Assert.Equal(new[] { "0", "1", "2" }, data.ClassNames);
        Assert.Equal(new long[] { 1, 0, 2 }, data.Labels.data<long>().ToArray());
        Assert.Equal(new[] { 0f, 1f, 0f, 1f }, data.Images[0].flatten().data<float>().ToArray());
    }

    [Fact]
    public void Csv_row_with_the_wrong_number_of_columns_names_the_row()
    {
        var path = Path.Combine(_root, "images.csv");
        File.WriteAllLines(path, new[] { "label,p1,p2,p3,p4", "1,0,255,0,255", "0,255,255,255" });

        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path));

        Assert.Equal($"{path}: row 3 has 4 columns; expected 5 (a label and 4 pixels).", e.Message);
    }

    [Fact]
    public void Csv_with_a_non_numeric_pixel_names_row_and_column()
    {
        var path = Path.Combine(_root, "images.csv");
        File.WriteAllLines(path, new[] { "1,0,255,x,255" });

        var e = Assert.Throws<InvalidDataException>(() => CsvImages.Load(path));

        Assert.Equal($"{path}: row 1, column 4 is \"x\"; expected an integer pixel value from 0 to 255.", e.Message);
    }

    [Fact]
    public void A_folder_with_train_and_test_gives_both_splits_and_an_unknown_name_is_an_error()
    {
        Fixtures.Image(Path.Combine(_root, "train", "a", "x.png"), 4, 4, SKColors.Red);
        Fixtures.Image(Path.Combine(_root, "train", "b", "x.png"), 4, 4, SKColors.Blue);
        Fixtures.Image(Path.Combine(_root, "test", "a", "y.png"), 4, 4, SKColors.Red);
        Fixtures.Image(Path.Combine(_root, "test", "b", "y.png"), 4, 4, SKColors.Blue);

        using var splits = DatasetSource.Open(_root);
        var e = Assert.Throws<ArgumentException>(() => DatasetSource.Open("imagenet"));

        Assert.Equal((2, 2), (splits.Train.Count, splits.Test.Count));
        Assert.Equal("Unknown dataset \"imagenet\". Expected one of: fashion-mnist, mnist, kmnist, cifar10, " +
            "a folder of class sub-folders, or a .csv file.",
            TestSupport.KerasMessage(e));
    }
}
