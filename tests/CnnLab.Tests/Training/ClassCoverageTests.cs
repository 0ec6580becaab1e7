using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

/// <summary>Fit warns once, before training, when its training and validation parts hold different classes (issue 13, item 1).</summary>
public class ClassCoverageTests
{
    private static (Tensor X, Tensor Y) Sorted(int count)
    {
        var (x, y) = TestSupport.Bars(count, seed: 1);
        using (x)
        using (y)
        using (var order = tensor(Enumerable.Range(0, count).OrderBy(i => y[i].item<long>()).Select(i => (long)i).ToArray()))
        {
            // Class 0 first, then class 1: as a folder read class by class.
            return (x.index_select(0, order), y.index_select(0, order));
        }
    }

    [Fact]
    public void A_validation_split_of_data_sorted_by_class_warns_once_naming_the_classes()
    {
        var (x, y) = Sorted(40);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.ClassNames = new[] { "horizontal", "vertical" };
        model.Compile("adam");
        var warnings = new StringWriter();

        model.Fit(x, y, new FitOptions { BatchSize = 10, Epochs = 2, ValidationSplit = 0.25, Seed = 1, Verbose = 0, Warnings = warnings });

        Assert.Equal(
            "warning: the training and validation data hold different classes; only in validation: none; only in training: " +
            "horizontal (0). " +
            "validationSplit=0.25 holds out the last 25% of the samples, as Keras does, so samples sorted by class train on some " +
            "classes and " +
            "validate on others: shuffle them before Fit (folders and CSV files are shuffled unless their order is kept), " +
            "or pass stratified " +
            "validationData (StratifiedSplit.Split).\n", warnings.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void Validation_data_with_a_class_training_lacks_names_it_by_label_without_class_names()
    {
        var (x, y) = Sorted(40);
        using var trainX = x.narrow(0, 0, 20);
        using var trainY = y.narrow(0, 0, 20);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile("adam");
        var warnings = new StringWriter();

        model.Fit(trainX, trainY, new FitOptions { BatchSize = 10, ValidationData = (x, y), Seed = 1, Verbose = 0, Warnings = warnings });

        Assert.Equal(
            "warning: the training and validation data hold different classes; only in validation: 1; only in training: none. " +
            "Validation then scores classes the model never trained on, or leaves trained ones unscored: " +
            "give validationData the training " +
            "data's classes (StratifiedSplit.Split keeps every class's share).\n", warnings.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void Mixed_classes_give_no_warning()
    {
        var (x, y) = TestSupport.Bars(40, seed: 1);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile("adam");
        var warnings = new StringWriter();

        model.Fit(x, y, new FitOptions { BatchSize = 10, ValidationSplit = 0.25, Seed = 1, Verbose = 0, Warnings = warnings });

        Assert.Equal("", warnings.ToString());
    }
}
