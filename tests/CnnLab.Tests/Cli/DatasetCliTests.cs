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
            Fixtures.Image(Path.Combine(_root, "red", $"r{i}.{(i % 2 == 0 ? "png" : "jpg")}"), 16, 16,
                new SKColor((byte)(200 + noise / 2), noise, noise));
            Fixtures.Image(Path.Combine(_root, "blue", $"b{i}.{(i % 2 == 0 ? "png" : "jpg")}"), 16, 16,
                new SKColor(noise, noise, (byte)(200 + noise / 2)));
        }
    }

    public void Dispose()
    {
        Directory.Delete(_root, true);
        foreach (var file in new[] { "-m2.safetensors", "-red.jpg", "-bad.png" })
        {
            File.Delete(_root + file);
        }
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
        var (code, output, error) = CliRunner.Run("train", "--dataset", _root, "--model", "m2-leaky", "--epochs", "2", "--batch-size", "8",
            "--threads", "1");

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
        Assert.Equal(12,
            parsed.RootElement.GetProperty("confusion").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(v => v.GetInt64()));

        var (badCode, _, badError) = CliRunner.Run("evaluate", path + ".missing", "--dataset", _root);
        Assert.Equal(1, badCode);
        Assert.Equal($"error: {path}.missing: no such weights file.\n", badError);

        // predict: a 40x24 JPEG (resized to the model's 16x16) scores in another process as ImagePredictor does here.
        var picture = _root + "-red.jpg";
        Fixtures.Image(picture, 40, 24, new SKColor(230, 20, 20));
        var expected = CnnLab.Models.ImagePredictor.Predict(model, new[] { picture }, topK: 2)[0];
        var (predictCode, predictOutput, predictError) = CliRunner.Run("predict", path, picture, "--top-k", "2", "--threads", "1");
        Assert.Equal("", predictError);
        Assert.Equal(0, predictCode);
        Assert.Equal(
            $"{"image".PadRight(picture.Length)}  #  class  probability\n" +
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{picture}  1  {expected.Top[0].Name,-5}  {expected.Top[0].Probability,11:F4}\n{"".PadRight(picture.Length)}  2  " +
                $"{expected.Top[1].Name,-5}  {expected.Top[1].Probability,11:F4}\n"),
            predictOutput);
        Assert.Equal(new[] { "blue", "red" }, expected.Top.Select(t => t.Name).Order());

        var (jsonCode, jsonOutput, _) = CliRunner.Run("predict", path, picture, "--json", "--threads", "1");
        Assert.Equal(0, jsonCode);
        using var predicted = System.Text.Json.JsonDocument.Parse(jsonOutput);
        var top = predicted.RootElement[0].GetProperty("top");
        Assert.Equal(expected.Top[0].Name, top[0].GetProperty("class").GetString());
        Assert.Equal(expected.Top[0].Probability, top[0].GetProperty("probability").GetDouble(), 12);

        var (ttaCode, ttaOutput, ttaError) = CliRunner.Run("predict", path, picture, "--json", "--test-time-augmentation",
            "horizontal_flip", "--threads", "1");
        Assert.Equal(("", 0), (ttaError, ttaCode));
        var mirrored = CnnLab.Models.ImagePredictor.Predict(model, new[] { picture }, 1,
            CnnLab.Models.TestTimeAugmentation.HorizontalFlip)[0];
        using var ttaJson = System.Text.Json.JsonDocument.Parse(ttaOutput);
        Assert.Equal(mirrored.Top[0].Probability, ttaJson.RootElement[0].GetProperty("top")[0].GetProperty("probability").GetDouble(), 12);
        var (badTtaCode, _, badTtaError) = CliRunner.Run("predict", path, picture, "--test-time-augmentation", "rotate");
        Assert.Equal(1, badTtaCode);
        Assert.StartsWith("error: Argument 'rotate' not recognized. Must be one of:", badTtaError.Trim());

        File.WriteAllText(_root + "-bad.png", "not an image");
        var (undecodableCode, _, undecodableError) = CliRunner.Run("predict", path, _root + "-bad.png");
        Assert.Equal(1, undecodableCode);
        Assert.Equal($"error: {_root}-bad.png: the image could not be decoded; expected a valid PNG or JPEG file.\n", undecodableError);
    }

    [Fact]
    public void Data_export_writes_test_images_named_by_index_and_class()
    {
        var folder = _root + "-export";
        try
        {
            var (code, output, error) = CliRunner.Run("data", "export", _root, "--count", "3", "--out", folder);

            Assert.Equal("", error);
            Assert.Equal(0, code);
            Assert.Equal($"Wrote 3 test image(s) of {Path.GetFileName(_root)} to {folder}.\n", output);
            using var data = CnnLab.Data.DatasetSource.Open(_root);
            var labels = data.Test.Labels.data<long>().ToArray();
            var files =
                Enumerable.Range(0, 3).Select(i => Path.Combine(folder, $"test-{i:D5}-{data.ClassNames[(int)labels[i]]}.png")).ToArray();
            Assert.Equal(files, Directory.GetFiles(folder).Order());
            using var back = CnnLab.Data.ImageFiles.Read(files, CnnLab.Data.ColorMode.Rgb);
            Assert.Equal(TestSupport.ToArray(data.Test.Images[TorchSharp.torch.TensorIndex.Slice(0, 3)]), TestSupport.ToArray(back));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
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
