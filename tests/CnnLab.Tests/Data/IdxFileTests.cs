using CnnLab.Data;

namespace CnnLab.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-idx-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Reads_a_gzip_split_scaled_to_0_1_with_NCHW_shape()
    {
        WriteSplit("train", images: 5, labels: new byte[] { 0, 1, 2, 9, 3 }, gzip: true);

        using var data = IdxDataset.Load(_folder, "train", FashionMnist.ClassNames);

        Assert.Equal(new long[] { 5, 1, 4, 3 }, data.Images.shape);
        Assert.Equal(new long[] { 0, 1, 2, 9, 3 }, data.Labels.data<long>().ToArray());
        // Pixel (image 1, row 0, column 2) was written as byte 1 * 12 + 2 = 14.
        Assert.Equal(14 / 255f, data.Images[1, 0, 0, 2].item<float>(), 6);
        Assert.Equal(CnnLab.Core.Shape.Image(4, 3, 1), data.InputShape);
    }

    [Fact]
    public void Reads_uncompressed_files_too()
    {
        WriteSplit("t10k", images: 2, labels: new byte[] { 4, 5 }, gzip: false);

        using var data = IdxDataset.Load(_folder, "t10k", FashionMnist.ClassNames);

        Assert.Equal(2, data.Count);
    }

    [Fact]
    public void A_wrong_magic_number_names_the_file()
    {
        var path = Path.Combine(_folder, "bad");
        File.WriteAllBytes(path, new byte[] { 1, 2, 8, 3, 0, 0, 0, 0 });

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.Equal($"{path}: not an IDX file: the magic number starts with 0x0102, expected 0x0000. " +
                     "Check that the file is an uncompressed or gzip-compressed IDX file.", e.Message);
    }

    [Fact]
    public void A_truncated_file_says_how_much_was_missing()
    {
        var path = Path.Combine(_folder, "short");
        File.WriteAllBytes(path, Fixtures.IdxHeader(3, 2, 2, 2).Concat(new byte[5]).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.Equal($"{path}: file is truncated: expected 8 elements (2 x 2 x 2), but the data ended after 5 of 8 bytes.", e.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        WriteSplit("train", images: 3, labels: new byte[] { 1, 2 }, gzip: true);

        var e = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(_folder, "train", FashionMnist.ClassNames));

        Assert.Contains("holds 3 images but", e.Message);
        Assert.EndsWith("holds 2 labels; the counts must agree.", e.Message);
    }

    [Fact]
    public void A_label_outside_the_classes_names_its_index()
    {
        WriteSplit("train", images: 3, labels: new byte[] { 1, 12, 2 }, gzip: true);

        var e = Assert.Throws<InvalidDataException>(() => IdxDataset.Load(_folder, "train", FashionMnist.ClassNames));

        Assert.EndsWith("train-labels-idx1-ubyte.gz: label 12 at index 1 is outside the 10 classes [0, 10).", e.Message);
    }

    [Fact]
    public void A_missing_folder_says_how_to_get_the_data()
    {
        var missing = Path.Combine(_folder, "nowhere");

        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(missing));

        Assert.Equal($"Fashion-MNIST was not found in `dataDir` \"{missing}\": the folder does not exist. Expected the files " +
                     "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.",
                     e.Message);
    }

    private void WriteSplit(string prefix, int images, byte[] labels, bool gzip)
    {
        var pixels = Enumerable.Range(0, images * 12).Select(i => (byte)(i % 256)).ToArray();
        Write(Path.Combine(_folder, $"{prefix}-images-idx3-ubyte"), Fixtures.IdxHeader(3, images, 4, 3).Concat(pixels).ToArray(), gzip);
        Write(Path.Combine(_folder, $"{prefix}-labels-idx1-ubyte"), Fixtures.IdxHeader(1, labels.Length).Concat(labels).ToArray(), gzip);
    }

    private static void Write(string path, byte[] bytes, bool gzip)
    {
        if (gzip)
        {
            File.WriteAllBytes(path + ".gz", Fixtures.Gzip(bytes));
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
    }
}
