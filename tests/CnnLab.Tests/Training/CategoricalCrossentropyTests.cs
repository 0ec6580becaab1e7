using CnnLab.Data;
using CnnLab.Optimizers;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

/// <summary>categorical_crossentropy with one-hot labels, as a Keras user writes it, and the errors for mixed-up labels.</summary>
public class CategoricalCrossentropyTests
{
    [Fact]
    public void To_categorical_makes_one_hot_rows()
    {
        using var labels = tensor(new long[] { 2, 0, 1 });

        using var oneHot = Categorical.ToCategorical(labels);

        Assert.Equal(new long[] { 3, 3 }, oneHot.shape);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, TestSupport.ToArray(oneHot));
        Assert.Equal("Labels must lie in [0, 2) for num_classes=2; received labels from 0 to 2. (Parameter 'numClasses')",
            Assert.Throws<ArgumentException>(() => Categorical.ToCategorical(labels, 2)).Message);
    }

    [Fact]
    public void The_loss_equals_the_sparse_loss_on_the_same_labels_with_and_without_smoothing()
    {
        using var logits = randn(6, 4, generator: new TorchSharp.torch.Generator(3));
        using var labels = tensor(new long[] { 0, 3, 1, 1, 2, 0 });
        using var oneHot = Categorical.ToCategorical(labels, 4);

        foreach (var smoothing in new[] { 0.0, 0.1 })
        {
            using var sparse = SparseCategoricalCrossentropy.FromLogits(logits, labels, smoothing);
            using var categorical = CategoricalCrossentropy.FromLogits(logits, oneHot, smoothing);
            Assert.Equal(sparse.item<float>(), categorical.item<float>(), 5);
            using var probabilities = logits.softmax(1);
            using var sparseP = SparseCategoricalCrossentropy.FromProbabilities(probabilities, labels, smoothing);
            using var categoricalP = CategoricalCrossentropy.FromProbabilities(probabilities, oneHot, smoothing);
            Assert.Equal(sparseP.item<float>(), categoricalP.item<float>(), 5);
        }
    }

    [Fact]
    public void Fit_with_one_hot_labels_trains_as_with_integer_labels()
    {
        var (x, y) = TestSupport.Bars(64, seed: 1);
        using var sparse = TestSupport.SmallCnn(seed: 5);
        sparse.Compile(new Adam(), "sparse_categorical_crossentropy");
        using var categorical = TestSupport.SmallCnn(seed: 5);
        categorical.Compile(new Adam(), "categorical_crossentropy");
        var options = new FitOptions { BatchSize = 16, Epochs = 2, ValidationSplit = 0.25, Seed = 3, Verbose = 0 };

        var a = sparse.Fit(x, y, options);
        var b = categorical.Fit(x, Categorical.ToCategorical(y, 2), options);

        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Equal(a.ValAccuracy, b.ValAccuracy);
        for (var e = 0; e < a.Loss.Count; e++)
        {
            Assert.Equal(a.Loss[e], b.Loss[e], 5);
        }
        Assert.Equal(sparse.Evaluate(x, y).Accuracy, categorical.Evaluate(x, Categorical.ToCategorical(y, 2)).Accuracy);
    }

    [Fact]
    public void Labels_that_do_not_fit_the_loss_say_which_to_use()
    {
        var (x, y) = TestSupport.Bars(8, seed: 1);
        using var sparse = TestSupport.SmallCnn(seed: 5);
        sparse.Compile("adam");
        using var categorical = TestSupport.SmallCnn(seed: 5);
        categorical.Compile("adam", "categorical_crossentropy");

        Assert.Equal("Labels `y` have shape (8, 2), one-hot rows, but the loss is sparse_categorical_crossentropy, " +
                     "which takes class indices of shape (8). " +
                     "Compile with loss: \"categorical_crossentropy\", or pass y.argmax(1). (Parameter 'y')",
            Assert.Throws<ArgumentException>(() => sparse.Fit(x, Categorical.ToCategorical(y, 2), epochs: 1)).Message);
        Assert.Equal("Labels `y` have shape (8), class indices, but the loss is categorical_crossentropy, which takes one-hot rows of " +
                     "shape (8, 2). " +
                     "Convert with Categorical.ToCategorical(y, 2), or compile with loss: \"sparse_categorical_crossentropy\". " +
                     "(Parameter 'y')",
            Assert.Throws<ArgumentException>(() => categorical.Fit(x, y, epochs: 1)).Message);
    }
}
