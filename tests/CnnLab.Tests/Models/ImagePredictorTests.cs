using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models;

/// <summary>
/// Image files reach the model as training data did: a hand-set model scores "left" when the left half is bright, so
/// every conversion (resize, RGB to gray, IDX, standardisation) shows in exact probabilities.
/// </summary>
public sealed class ImagePredictorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-predict-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    /// <summary>8x8 gray input; logit "left" = 0.01 * (sum of the left half - sum of the right half), "right" its negative.</summary>
    private static Sequential HalvesModel()
    {
        var model = new Sequential(Shape.Image(8, 8, 1), seed: 0);
        model.Add(new Flatten());
        model.Add(new Dense(2, activation: "softmax"));
        using var sign = where(arange(64).remainder(8) < 4, 1f, -1f);
        using (no_grad())
        {
            var dense = (Dense)model.Layers[1];
            dense.Kernel.copy_(stack(new[] { sign * 0.01f, sign * -0.01f }));
            dense.Bias!.zero_();
        }
        model.ClassNames = new[] { "left", "right" };
        return model;
    }

    private string HalfBright(string name, int width, int height, bool left, SKColor bright)
    {
        var path = Path.Combine(_folder, name);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.Black);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var paint = new SKPaint { Color = bright };
            canvas.DrawRect(left ? 0 : width / 2, 0, width / 2, height, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(name.EndsWith(".png", StringComparison.Ordinal) ? SKEncodedImageFormat.Png
            : SKEncodedImageFormat.Jpeg, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void A_larger_colour_png_is_resized_and_grayed_and_scored_exactly()
    {
        using var model = HalvesModel();
        // 16x16 white-left: resized to 8x8 the left 4 columns are 1, the right 4 are 0: logit difference 2 * 0.32.
        var left = HalfBright("left.png", 16, 16, left: true, SKColors.White);
        // Pure red is gray 0.299 * 255 = 76 (rounded), 76/255 per pixel on the right half.
        var right = HalfBright("right.png", 16, 16, left: false, new SKColor(255, 0, 0));

        var predictions = ImagePredictor.Predict(model, new[] { left, right }, topK: 2);

        Assert.Equal(new[] { left, right }, predictions.Select(p => p.File));
        Assert.Equal(new[] { "left", "right" }, predictions[0].Top.Select(s => s.Name));
        Assert.Equal(Sigmoid(0.64), predictions[0].Top[0].Probability, 6);
        Assert.Equal(new[] { "right", "left" }, predictions[1].Top.Select(s => s.Name));
        Assert.Equal(Sigmoid(0.64 * 76 / 255), predictions[1].Top[0].Probability, 6);
        Assert.Null(predictions[0].Index);
    }

    [Fact]
    public void Flip_test_time_augmentation_averages_an_image_with_its_mirror()
    {
        using var model = HalvesModel();
        // Mirrored, white-left becomes white-right: the mean of sigmoid(0.64) and sigmoid(-0.64) is exactly 1/2.
        var left = HalfBright("left.png", 8, 8, left: true, SKColors.White);

        var plain = ImagePredictor.Predict(model, new[] { left }, topK: 2)[0];
        var averaged = ImagePredictor.Predict(model, new[] { left }, topK: 2, CnnLab.Models.TestTimeAugmentation.HorizontalFlip)[0];

        Assert.Equal(Sigmoid(0.64), plain.Top[0].Probability, 6);
        Assert.All(averaged.Top, s => Assert.Equal(0.5, s.Probability, 6));
    }

    [Fact]
    public void Idx_images_keep_their_order_among_png_files_and_use_the_saved_standardisation()
    {
        using var model = HalvesModel();
        // (x - 0.5) / 0.5 maps black to -1 and white to 1: each logit doubles to 0.64, their difference to 1.28.
        model.InputStandardization = Standardization.From(new[] { 0.5f }, new[] { 0.5f });
        var pixels = new byte[2 * 64];
        for (var p = 0; p < 64; p++)
        {
            pixels[p] = (byte)(p % 8 >= 4 ? 255 : 0); // image 0: right half white
            pixels[64 + p] = (byte)(p % 8 < 4 ? 255 : 0); // image 1: left half white
        }
        var idx = Path.Combine(_folder, "two-idx3-ubyte");
        File.WriteAllBytes(idx, Fixtures.IdxHeader(3, 2, 8, 8).Concat(pixels).ToArray());
        var png = HalfBright("left.png", 8, 8, left: true, SKColors.White);

        var predictions = ImagePredictor.Predict(model, new[] { png, idx }, topK: 1);

        Assert.Equal(new[] { (png, (int?)null, "left"), (idx, 0, "right"), (idx, 1, "left") },
            predictions.Select(p => (p.File, p.Index, p.Top[0].Name)));
        Assert.All(predictions, p => Assert.Equal(Sigmoid(1.28), p.Top[0].Probability, 6));
    }

    [Fact]
    public void Files_the_model_cannot_take_are_errors_naming_the_file()
    {
        using var model = HalvesModel();
        var idx = Path.Combine(_folder, "small-idx3-ubyte");
        File.WriteAllBytes(idx, Fixtures.IdxHeader(3, 1, 4, 4).Concat(new byte[16]).ToArray());
        var broken = Path.Combine(_folder, "broken.png");
        File.WriteAllBytes(broken, new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });
        var text = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(text, "hello");

        Assert.Equal(
            $"{idx}: IDX images are 4x4 with 1 channel; the model expects 8x8 with 1 channel(s). Pass PNG or JPEG files to have them " +
            $"resized, or an IDX file of the model's size.",
            Assert.Throws<InvalidDataException>(() => ImagePredictor.Predict(model, new[] { idx })).Message);
        Assert.Equal($"{broken}: the image could not be decoded; expected a valid PNG or JPEG file.",
            Assert.Throws<InvalidDataException>(() => ImagePredictor.Predict(model, new[] { broken })).Message);
        Assert.Equal($"{text}: neither a PNG or JPEG image nor an IDX image file (it starts with neither signature).",
            Assert.Throws<InvalidDataException>(() => ImagePredictor.Predict(model, new[] { text })).Message);
        Assert.Equal($"{_folder}/none.png: no such file; expected a PNG or JPEG image or an IDX image file.",
            Assert.Throws<FileNotFoundException>(() => ImagePredictor.Predict(model, new[] { Path.Combine(_folder, "none.png") })).Message);
    }

    [Fact]
    public void A_dataset_image_written_as_png_reads_back_to_the_same_values()
    {
        var bytes = Enumerable.Range(0, 2 * 3 * 5 * 4).Select(i => (byte)(i * 7 % 256)).ToArray();
        using var rgb = Dataset.FromBytes(bytes, new byte[] { 0, 1 }, 2, 3, 5, 4, new[] { "a", "b" });
        var path = Path.Combine(_folder, "one.png");

        ImageFiles.SavePng(rgb, 1, path);

        using var back = ImageFiles.Read(new[] { path }, ColorMode.Rgb);
        Assert.Equal(new long[] { 1, 3, 5, 4 }, back.shape);
        Assert.Equal(TestSupport.ToArray(rgb.Images[1]), TestSupport.ToArray(back[0]));
    }
}
