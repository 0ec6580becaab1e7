using System.Text.Json.Nodes;
using CnnLab.Formats;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>
/// Crafted images, model files, results folders and save targets through the real program: one line on stderr,
/// exit code 1, nothing on stdout, no stack trace, and nothing that was already there changed.
/// </summary>
public sealed class HostileFileCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-hostile-files-").FullName;
    private readonly string _model;
    private readonly string _image;

    public HostileFileCliTests()
    {
        _model = Path.Combine(_folder, "model.safetensors");
        HostileFiles.SmallModel(_model);
        _image = Path.Combine(_folder, "ok.png");
        Fixtures.Image(_image, 8, 8, SKColors.Gray);
    }

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Predict_refuses_a_png_whose_header_claims_100000_by_100000_pixels()
    {
        var huge = Path.Combine(_folder, "huge.png");
        HostileFiles.Png(huge, 100_000, 100_000);

        CliRunner.AssertRefused(CliRunner.Run("predict", _model, _image, huge),
            $"{huge}: the image header claims 100000x100000 pixels (10,000,000,000), more than the limit of 50,000,000 (50 megapixels). " +
            $"Scale the image down before using it.");
    }

    [Fact]
    public void A_folder_dataset_holding_a_huge_png_is_refused_naming_the_image()
    {
        var data = Path.Combine(_folder, "data");
        Fixtures.Image(Path.Combine(data, "a", "1.png"), 8, 8, SKColors.Gray);
        HostileFiles.Png(Path.Combine(data, "b", "2.png"), 100_000, 100_000);

        CliRunner.AssertRefused(CliRunner.Run("data", "info", data),
            $"{Path.Combine(data, "b", "2.png")}: the image header claims 100000x100000 pixels (10,000,000,000), " +
            $"more than the limit of 50,000,000 (50 megapixels). " +
            "Scale the image down before using it.");
    }

    [Fact]
    public void Predict_refuses_a_model_config_with_an_input_of_100000_by_100000()
    {
        HostileFiles.EditConfig(_model, c => c["config"]!["input_shape"] = new JsonArray(100_000, 100_000, 1));

        CliRunner.AssertRefused(CliRunner.Run("predict", _model, _image),
            $"{_model}: the model config: \"input_shape\" [100000,100000,1] is refused: Invalid value for argument `shape`. (100000, " +
            $"100000, 1) holds more than " +
            "268,435,456 values per sample (1 GiB of float32), the limit. Use a smaller image size, fewer filters or more pooling.");
    }

    [Fact]
    public void Predict_refuses_layers_given_as_an_object()
    {
        HostileFiles.EditConfig(_model, c => c["config"]!["layers"] = new JsonObject());

        CliRunner.AssertRefused(CliRunner.Run("predict", _model, _image),
            $"{_model}: the model config: \"layers\" is an object; expected a list of layer configs, [{{\"class_name\": ..., \"config\": " +
            $"{{...}}}}, ...].");
    }

    [Fact]
    public void Evaluate_refuses_a_tensor_whose_shape_multiplies_past_the_file()
    {
        var (header, data) = HostileFiles.Read(_model);
        header["dense.kernel"]!["shape"] = JsonNode.Parse("[65536, 65536, 65536]");
        HostileFiles.Write(_model, header.ToJsonString(), data);

        CliRunner.AssertRefused(CliRunner.Run("evaluate", _model),
            $"{_model}: tensor \"dense.kernel\" of shape (65536, 65536, 65536) F32 needs 1,125,899,906,842,624 bytes but its " +
            $"range holds 576.");
    }

    [Fact]
    public void Predict_refuses_a_truncated_model_file_naming_it()
    {
        var bytes = File.ReadAllBytes(_model);
        File.WriteAllBytes(_model, bytes[..^300]);

        CliRunner.AssertRefused(CliRunner.Run("predict", _model, _image),
            $"{_model}: tensor \"dense.kernel\" has byte range [80, 656] outside the 364 data bytes (truncated file?).");
    }

    [Fact]
    public void Predict_and_evaluate_refuse_outputs_that_are_not_finite()
    {
        HostileFiles.SmallModel(_model, poison: float.NaN);
        var data = Path.Combine(_folder, "data");
        for (var i = 0; i < 5; i++)
        {
            Fixtures.Image(Path.Combine(data, "a", $"{i}.png"), 8, 8, SKColors.Black);
            Fixtures.Image(Path.Combine(data, "b", $"{i}.png"), 8, 8, SKColors.White);
        }
        const string cause = "1 of its 166 weights are NaN or infinite. Its training diverged or the file is damaged: " +
            "retrain it (a lower learning rate), or use an earlier checkpoint.";

        CliRunner.AssertRefused(CliRunner.Run("predict", _model, _image),
            $"{_model}: the model's output is not finite (NaN or infinity) for 1 of 1 input(s), the first being {_image}; {cause}");
        CliRunner.AssertRefused(CliRunner.Run("evaluate", _model, "--dataset", data, "--color-mode", "grayscale"),
            $"{_model}: the model's output is not finite (NaN or infinity) for 2 of 2 input(s), the first being test image 0 of " +
            $"data; {cause}");
    }

    [Fact]
    public void Train_refuses_to_save_onto_a_device_before_training()
    {
        var device = HostileFiles.DeviceFull(_folder);

        CliRunner.AssertRefused(CliRunner.Run("train", "--model", "m2-leaky", "--save", device),
            $"{device} is a character device (such as /dev/null), not a regular file. Saving writes a new file and renames it over " +
            $"the target, " +
            "which would replace it; give the path of a regular file to create or overwrite.");
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of(device));
    }

    [Fact]
    public void Study_resume_refuses_a_damaged_checkpoint_index_and_a_truncated_metrics_file()
    {
        var data = Path.Combine(_folder, "data");
        for (var i = 0; i < 5; i++)
        {
            Fixtures.Image(Path.Combine(data, "a", $"{i}.png"), 8, 8, SKColors.Black);
            Fixtures.Image(Path.Combine(data, "b", $"{i}.png"), 8, 8, SKColors.White);
        }
        var file = Path.Combine(_folder, "study.yaml");
        File.WriteAllText(file, $"name: s\ndataset: {data}\ntraining: {{epochs: 2, batch_size: 4}}\nruns: [{{name: a, model: {{blocks: " +
            $"[[2]], dense: [4]}}}}]\n");
        var results = Path.Combine(_folder, "results");
        var runner = new StudyRunner(StudyParser.ParseFile(file), results, TextWriter.Null);
        runner.ClaimFolder();
        var checkpoint = Path.Combine(runner.RunFolder("a", 1), "checkpoint");
        var index = Path.Combine(checkpoint, "checkpoint.json");
        Directory.CreateDirectory(checkpoint);
        File.WriteAllText(index, "{\"Epoch\": 1, \"Weigh");

        var (code, output, error) = CliRunner.Run("study", file, "--out", results, "--resume");

        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
        Assert.EndsWith($"error: {index}: the epoch checkpoint is damaged: it is not valid JSON or not a checkpoint index (at " +
                        $"$, line 1). " +
                        $"Delete the folder {checkpoint} to train the run again from its first epoch.\n", error);
        Assert.Equal("{\"Epoch\": 1, \"Weigh", File.ReadAllText(index));

        var metrics = Path.Combine(runner.RunFolder("a", 1), "metrics.json");
        File.WriteAllText(metrics, "{\"Run\": \"a\", \"Seed\": 1, \"Acc");

        (code, output, error) = CliRunner.Run("study", file, "--out", results, "--resume");

        Assert.Equal(1, code);
        Assert.StartsWith($"error: {metrics} is not a valid metrics file (", error);
        Assert.EndsWith("). Delete it to train that run again with --resume.\n", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("{\"Run\": \"a\", \"Seed\": 1, \"Acc", File.ReadAllText(metrics));
    }
}
