using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>A generated RGB image folder goes through the same commands as Fashion-MNIST, its input shape taken from the data.</summary>
public sealed class DatasetCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-cli-data-").FullName;

    public DatasetCliTests()
    {
        var random = new Random(1);
        for (var i = 0; i < 30; i++)
        {
            // Reddish versus bluish 16x16 images, PNG and JPEG mixed.
            var noise = (byte)random.Next(0, 60);
            Fixtures.Image(Path.Combine(_root, "red", $"r{i}.{(i % 2 == 0 ? "png" : "jpg")}"), 16, 16, new SKColor((byte)(200 + noise / 2), noise, noise));
            Fixtures.Image(Path.Combine(_root, "blue", $"b{i}.{(i % 2 == 0 ? "png" : "jpg")}"), 16, 16, new SKColor(noise, noise, (byte)(200 + noise / 2)));
        }
    }

    public void Dispose()
    {
        Directory.Delete(_root, true);
        File.Delete(_root + "-m2.safetensors");
    }

    [Fact]
    public void Data_info_reports_the_shape_and_counts_of_an_image_folder()
    {
        var (code, output, error) = CliRunner.Run("data", "info", _root);

        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Contains("input shape (None, 16, 16, 3), 2 classes", output);
        Assert.Contains("total       48       12", output);
    }

    [Fact]
    public void Train_runs_end_to_end_on_an_RGB_image_folder()
    {
        var (code, output, error) = CliRunner.Run("train", "--dataset", _root, "--model", "m2-leaky", "--epochs", "2", "--batch-size", "8", "--threads", "1");

        Assert.Equal("", error);
        Assert.Equal(0, code);
        // 16x16x3 input and 2 classes: 560 + 3,620 + 3,240 + 6,440 + 20,512 (4x4x40 into Dense 32) + 1,056 + 66.
        Assert.Contains("2 blocks, Adam (m2-leaky): 35,494 parameters", output);
        Assert.Matches(@"Test accuracy: \d\.\d{4} \(loss \d+\.\d{4}, 12 images\)", output);
    }

    [Fact]
    public void A_model_saved_by_train_loads_in_another_process_and_scores_the_same()
    {
        // Beside the image folder, not in it: a sub-folder would read as a class.
        var path = _root + "-m2.safetensors";
        var (code, output, error) = CliRunner.Run("train", "--dataset", _root, "--model", "m2-leaky", "--epochs", "1", "--batch-size", "8",
            "--threads", "1", "--save", path);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Contains($"Saved the model to {path}", output);

        using var model = CnnLab.Models.Sequential.Load(path);
        using var data = CnnLab.Data.DatasetSource.Open(_root);
        var result = model.Evaluate(data.Test.Images, data.Test.Labels, batchSize: 500);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Test accuracy: {result.Accuracy:F4} (loss {result.Loss:F4}, 12 images)"), output);

        var (evalCode, evalOutput, evalError) = CliRunner.Run("evaluate", path, "--dataset", _root, "--json", "--threads", "1");
        Assert.Equal("", evalError);
        Assert.Equal(0, evalCode);
        using var parsed = System.Text.Json.JsonDocument.Parse(evalOutput);
        Assert.Equal(result.Accuracy, parsed.RootElement.GetProperty("accuracy").GetDouble(), 10);
        Assert.Equal(12, parsed.RootElement.GetProperty("confusion").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(v => v.GetInt64()));

        var (badCode, _, badError) = CliRunner.Run("evaluate", path + ".missing", "--dataset", _root);
        Assert.Equal(1, badCode);
        Assert.Equal($"error: {path}.missing: no such weights file.\n", badError);
    }

    [Fact]
    public void Data_show_writes_a_png()
    {
        var path = Path.Combine(_root, "grid.png");

        var (code, output, _) = CliRunner.Run("data", "show", _root, "--grid", "3", "--out", path);

        Assert.Equal(0, code);
        Assert.Equal($"Wrote {path}: 9 images of {Path.GetFileName(_root)}.\n", output);
        using var image = SKBitmap.Decode(path);
        Assert.Equal(3 * 96, image.Width);
    }
}
