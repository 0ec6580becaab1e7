using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>
/// Which data a command uses (issue 13, items 1, 10, 14, 15): evaluate defaults to the dataset kept in the model file and
/// refuses data with other class names; order options, Keras' names and typos; a CSV with a stray label. Exit code 1 and one
/// line, never a stack trace.
/// </summary>
public sealed class DatasetChoiceCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-cli-choice-").FullName;
    private readonly string _colors;
    private readonly string _pets;

    public DatasetChoiceCliTests()
    {
        _colors = Path.Combine(_root, "colors");
        _pets = Path.Combine(_root, "pets");
        for (var i = 0; i < 10; i++)
        {
            Fixtures.Image(Path.Combine(_colors, "red", $"r{i}.png"), 8, 8, new SKColor(220, (byte)(i * 5), 0));
            Fixtures.Image(Path.Combine(_colors, "blue", $"b{i}.png"), 8, 8, new SKColor(0, (byte)(i * 5), 220));
            Fixtures.Image(Path.Combine(_pets, "cat", $"c{i}.png"), 8, 8, new SKColor(220, (byte)(i * 5), 0));
            Fixtures.Image(Path.Combine(_pets, "dog", $"d{i}.png"), 8, 8, new SKColor(0, (byte)(i * 5), 220));
        }
    }

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Evaluate_defaults_to_the_dataset_the_model_was_trained_on_and_refuses_other_class_names()
    {
        var path = Path.Combine(_root, "colors.safetensors");
        var (trainCode, _, trainError) = CliRunner.Run("train", "--dataset", _colors, "--model", "m2-leaky", "--epochs", "1",
            "--batch-size", "4",
            "--threads", "1", "--save", path);
        Assert.Equal(("", 0), (trainError, trainCode));
        using (var model = CnnLab.Models.Sequential.Load(path))
        {
            Assert.Equal(_colors, model.TrainingDataset);
        }

        var (code, output, error) = CliRunner.Run("evaluate", path, "--threads", "1");
        var (otherCode, otherOutput, otherError) = CliRunner.Run("evaluate", path, "--dataset", _pets, "--threads", "1");

        Assert.Equal(("", 0), (error, code));
        Assert.StartsWith($"{path} on colors (4 test images)\n", output);
        Assert.Equal(("", 1), (otherOutput, otherCode));
        Assert.Equal($"error: {path}: the model's classes are blue, red (trained on {_colors}) but pets has classes cat, dog. " +
                     $"Evaluate it on the data it was trained for (--dataset {_colors}, the default for this model).\n", otherError);
    }

    [Theory]
    [InlineData("fashon_mnist", "error: Unknown dataset \"fashon_mnist\". Expected one of: fashion-mnist, mnist, kmnist, cifar10, " +
        "a folder of class sub-folders, or a .csv file. Did you mean \"fashion-mnist\"?\n")]
    [InlineData("cifar-10", "error: Unknown dataset \"cifar-10\". Expected one of: fashion-mnist, mnist, kmnist, cifar10, " +
        "a folder of class sub-folders, or a .csv file. Did you mean \"cifar10\"?\n")]
    public void A_mistyped_dataset_name_suggests_the_nearest(string name, string expected)
    {
        var (code, output, error) = CliRunner.Run("data", "info", name);

        Assert.Equal((1, "", expected), (code, output, error));
    }

    [Fact]
    public void Order_options_that_cannot_apply_are_errors()
    {
        var (bothCode, _, bothError) = CliRunner.Run("data", "info", _colors, "--keep-order", "--shuffle-seed", "3");
        var (knownCode, _, knownError) = CliRunner.Run("data", "info", "fashion_mnist", "--keep-order");

        Assert.Equal((1, "error: --keep-order and --shuffle-seed contradict each other: the first keeps the file order, " +
            "the second shuffles. Give one.\n"),
            (bothCode, bothError));
        Assert.Equal((1, "error: fashion-mnist is read in its publisher's order, whose classes are already mixed; " +
                         "a shuffle (in file order) applies to " +
                         "image folders and CSV files only. Leave the shuffle settings out for fashion-mnist.\n"), (knownCode, knownError));
    }

    [Fact]
    public void Data_info_names_the_order_of_the_training_samples()
    {
        var (code, output, error) = CliRunner.Run("data", "info", _colors, "--shuffle-seed", "3");

        Assert.Equal(("", 0), (error, code));
        Assert.StartsWith($"colors: input shape (None, 8, 8, 3), 2 classes, from image folder {_colors} " +
                          "(a stratified 20% held out as test, seed 0; training samples shuffled with seed 3)\n", output);
    }

    [Fact]
    public void A_CSV_with_a_stray_label_is_refused()
    {
        var path = Path.Combine(_root, "digits.csv");
        File.WriteAllLines(path, Enumerable.Range(0, 20).Select(i => $"{i % 10},0,0,0,0").Append("255,0,0,0,0"));

        var (code, output, error) = CliRunner.Run("data", "info", path);

        Assert.Equal((1, ""), (code, output));
        Assert.Equal($"error: {path}: labels 0-9, 255 leave 245 of 256 classes without samples (10-254); the largest label, 255, " +
                     $"first appears " +
                     "on row 21. Labels must number the classes from 0 with none skipped: correct the stray labels, or pass class names " +
                     "(CsvImages.Load(path, classNames: ...)) to declare empty classes.\n", error);
    }
}
