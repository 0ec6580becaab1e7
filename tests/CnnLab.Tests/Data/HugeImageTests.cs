using CnnLab.Data;
using SkiaSharp;

namespace CnnLab.Tests.Data;

/// <summary>An image header is read and its size checked against <see cref="ImageFiles.MaxPixels"/> before anything is decoded.</summary>
public sealed class HugeImageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-huge-image-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static string Refusal(string file, int width, int height) =>
        $"{file}: the image header claims {width}x{height} pixels ({(long)width * height:N0}), more than the limit of 50,000,000 (50 " +
            $"megapixels). " +
        "Scale the image down before using it.";

    [Fact]
    public void A_png_claiming_100000_by_100000_pixels_is_refused_before_decoding_when_resized()
    {
        var file = Path.Combine(_folder, "huge.png");
        HostileFiles.Png(file, 100_000, 100_000);

        var error = Assert.Throws<InvalidDataException>(() => ImageFiles.Read(new[] { file }, ColorMode.Grayscale, (8, 8)));

        Assert.Equal(Refusal(file, 100_000, 100_000), error.Message);
    }

    [Fact]
    public void A_huge_png_in_a_folder_is_refused_whether_it_comes_first_or_later()
    {
        Fixtures.Image(Path.Combine(_folder, "cats", "a.png"), 4, 4, SKColors.Gray);
        // In file order, so "first" is the cats file; the default shuffle would pick either.
        HostileFiles.Png(Path.Combine(_folder, "dogs", "b.png"), 100_000, 100_000);
        HostileFiles.Png(Path.Combine(_folder, "cats", "0-first.png"), 7072, 7071);

        var first =
            Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_folder, ColorMode.Grayscale, shuffle: DataShuffle.KeepFileOrder));
        File.Delete(Path.Combine(_folder, "cats", "0-first.png"));
        var later =
            Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_folder, ColorMode.Grayscale, (4, 4), DataShuffle.KeepFileOrder));

        Assert.Equal(Refusal(Path.Combine(_folder, "cats", "0-first.png"), 7072, 7071), first.Message);
        Assert.Equal(Refusal(Path.Combine(_folder, "dogs", "b.png"), 100_000, 100_000), later.Message);
    }
}
