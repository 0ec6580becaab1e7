using System.Globalization;
using System.Text.RegularExpressions;
using CnnLab.Tests.Data;

namespace CnnLab.Tests.Cli;

/// <summary>
/// A folder read class by class (issue 13, item 1): shuffled by default, --limit and Keras' validation_split see every
/// class and one epoch trains above chance; kept in file order, Fit warns once naming the classes only one part holds.
/// </summary>
public sealed class ClassOrderCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-class-order-").FullName;

    public ClassOrderCliTests() => Fixtures.ClassOrderedFolder(_root, classes: 10, perClass: 100, size: 12);

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void A_class_ordered_folder_trains_above_chance_in_one_epoch_with_limit()
    {
        var (code, output, error) = CliRunner.Run("train", "--dataset", _root, "--color-mode", "grayscale", "--model", "m2-leaky",
            "--epochs", "1", "--batch-size", "8", "--limit", "600", "--threads", "1");

        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Contains("training samples shuffled with seed 0", output);
        var accuracy = double.Parse(Regex.Match(output, @"Test accuracy: (\d\.\d{4})").Groups[1].Value, CultureInfo.InvariantCulture);
        Console.WriteLine($"class-ordered folder, shuffled, --limit 600, one epoch: test accuracy {accuracy}");
        Assert.True(accuracy > 0.8, $"test accuracy {accuracy} should be well above chance (0.1) for 10 classes\n{output}");
    }

    [Fact]
    public void Keeping_the_file_order_warns_once_naming_the_classes_training_and_validation_do_not_share()
    {
        var (code, output, error) = CliRunner.Run("train", "--dataset", _root, "--color-mode", "grayscale", "--model", "m2-leaky",
            "--epochs", "1", "--batch-size", "8", "--limit", "600", "--keep-order", "--threads", "1");

        Assert.Equal(0, code);
        Assert.Contains("training samples in file order", output);
        Console.WriteLine("class-ordered folder, file order, --limit 600, one epoch: " +
            Regex.Match(output, @"Test accuracy: \d\.\d{4}").Value);
        // 80 training images a class in file order: the first 600 are c0-c6 and half of c7; validation, the last 30% (180), is
        // the last 60 of c5, c6 and c7's 40; training keeps c0-c4 and c5's first 20.
        Assert.Equal(
            "warning: the training and validation data hold different classes; only in validation: c6 (6), c7 (7); " +
            "only in training: c0 (0), c1 (1), c2 (2), c3 (3), c4 (4). " +
            "validationSplit=0.3 holds out the last 30% of the samples, as Keras does, so samples sorted by class train on some classes " +
            "and validate " +
            "on others: shuffle them before Fit (folders and CSV files are shuffled unless their order is kept), " +
            "or pass stratified validationData " +
            "(StratifiedSplit.Split).\n",
            error);
    }
}
