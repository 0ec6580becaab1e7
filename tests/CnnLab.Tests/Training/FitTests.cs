using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

public class FitTests
{
    [Fact]
    public void A_small_generated_dataset_is_learned_above_95_percent()
    {
        var (x, y) = TestSupport.Bars(400, seed: 1);
        var (testX, testY) = TestSupport.Bars(200, seed: 2);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new Adam(0.01));

        var history = model.Fit(x, y, batchSize: 20, epochs: 8, seed: 1, verbose: 0);
        var result = model.Evaluate(testX, testY);

        Assert.Equal(8, history.Epochs);
        Assert.True(history.Loss[^1] < history.Loss[0], $"loss went from {history.Loss[0]} to {history.Loss[^1]}");
        Assert.True(result.Accuracy > 0.95, $"test accuracy {result.Accuracy}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_the_same_history()
    {
        var (x, y) = TestSupport.Bars(120, seed: 3);

        History Train()
        {
            using var model = TestSupport.SmallCnn(seed: 7, batchNorm: true, dropout: true);
            model.Compile("adam");
            return model.Fit(x, y, batchSize: 16, epochs: 3, validationSplit: 0.25, seed: 11, verbose: 0);
        }

        var first = Train();
        var second = Train();

        Assert.Equal(first.Loss, second.Loss);
        Assert.Equal(first.Accuracy, second.Accuracy);
        Assert.Equal(first.ValLoss, second.ValLoss);
        Assert.Equal(first.ValAccuracy, second.ValAccuracy);
    }

    [Fact]
    public void Different_seeds_give_different_initial_weights()
    {
        using var a = TestSupport.SmallCnn(seed: 1);
        using var b = TestSupport.SmallCnn(seed: 2);
        using var c = TestSupport.SmallCnn(seed: 1);
        var ka = ((CnnLab.Layers.Conv2D)a.Layers[0]).Kernel;
        var kb = ((CnnLab.Layers.Conv2D)b.Layers[0]).Kernel;
        var kc = ((CnnLab.Layers.Conv2D)c.Layers[0]).Kernel;

        Assert.False(ka.equal(kb).all().item<bool>());
        Assert.True(ka.equal(kc).all().item<bool>());
    }

    [Fact]
    public void Validation_is_the_last_fraction_of_the_samples_as_in_Keras()
    {
        var (x, y) = TestSupport.Bars(100, seed: 4);
        using var model = TestSupport.SmallCnn(seed: 3);
        model.Compile("sgd");

        var history = model.Fit(x, y, batchSize: 10, epochs: 1, validationSplit: 0.3, seed: 1, verbose: 0);
        var lastThirty = model.Evaluate(x.narrow(0, 70, 30), y.narrow(0, 70, 30), batchSize: 10);
        var firstThirty = model.Evaluate(x.narrow(0, 0, 30), y.narrow(0, 0, 30), batchSize: 10);

        Assert.Equal(lastThirty.Loss, history.ValLoss[0], 6);
        Assert.NotEqual(firstThirty.Loss, history.ValLoss[0], 6);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void Validation_split_outside_0_1_is_rejected(double split)
    {
        var (x, y) = TestSupport.Bars(10, seed: 5);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile("adam");

        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, validationSplit: split, verbose: 0));

        Assert.Equal($"Invalid value for argument `validationSplit`. Expected a float in [0, 1). Received: validationSplit={split}",
            TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Labels_outside_the_classes_are_rejected()
    {
        var (x, _) = TestSupport.Bars(4, seed: 6);
        using var y = tensor(new long[] { 0, 1, 2, 1 });
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile("adam");

        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0));

        Assert.Equal("Received a label value of 2 which is outside the valid range of [0, 2). Labels `y` must be class indices below the " +
            "model's 2 outputs.",
            TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Input_of_the_wrong_shape_says_what_the_model_expects()
    {
        using var x = zeros(3, 1, 10, 10);
        using var model = TestSupport.SmallCnn(seed: 1);

        var e = Assert.Throws<ArgumentException>(() => model.Predict(x));

        Assert.Equal("Input `x` has shape (3, 1, 10, 10) but model \"sequential\" expects (N, 1, 12, 12) " +
                     "for input shape (None, 12, 12, 1) " +
                     "(images are passed as N x channels x height x width).", TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Fit_before_Compile_says_to_compile()
    {
        var (x, y) = TestSupport.Bars(4, seed: 6);
        using var model = TestSupport.SmallCnn(seed: 1);

        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, verbose: 0));

        Assert.Equal("You must call `Compile()` before using the model.", e.Message);
    }

    [Fact]
    public void Unknown_optimizer_lists_the_known_ones()
    {
        using var model = TestSupport.SmallCnn(seed: 1);

        var e = Assert.Throws<ArgumentException>(() => model.Compile("adagrad"));

        Assert.Equal("Could not interpret optimizer identifier: adagrad. Expected one of: adam, adamw, rmsprop, sgd.",
            TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Optimizers_have_Keras_defaults()
    {
        var adam = new Adam();
        var rmsprop = new RMSprop();
        var sgd = new SGD();

        Assert.Equal((0.001, 0.9, 0.999, 1e-7), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        Assert.Equal((0.001, 0.9, 1e-7), (rmsprop.LearningRate, rmsprop.Rho, rmsprop.Epsilon));
        Assert.Equal((0.01, 0.0, false), (sgd.LearningRate, sgd.Momentum, sgd.Nesterov));
    }

    [Fact]
    public void Predict_returns_probabilities_that_sum_to_one()
    {
        var (x, _) = TestSupport.Bars(7, seed: 8);
        using var model = TestSupport.SmallCnn(seed: 1);

        using var p = model.Predict(x, batchSize: 3);

        Assert.Equal(new long[] { 7, 2 }, p.shape);
        Assert.All(TestSupport.ToArray(p.sum(1)), s => Assert.Equal(1f, s, 5));
    }

    [Fact]
    public void Flip_test_time_augmentation_averages_the_outputs_for_each_image_and_its_mirror()
    {
        var (x, y) = TestSupport.Bars(9, seed: 8);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile("adam");
        using var mirrored = x.flip(3);
        using var plain = model.Predict(x, batchSize: 4);
        using var ofMirror = model.Predict(mirrored, batchSize: 4);

        using var averaged = model.Predict(x, batchSize: 4, TestTimeAugmentation.HorizontalFlip);
        var evaluation = model.Evaluate(x, y, batchSize: 4, TestTimeAugmentation.HorizontalFlip);

        var expected = TestSupport.ToArray((plain + ofMirror) / 2);
        Assert.Equal(expected, TestSupport.ToArray(averaged), new FloatTolerance(1e-6f));
        Assert.NotEqual(TestSupport.ToArray(plain), TestSupport.ToArray(averaged), new FloatTolerance(1e-6f));
        var probabilities = expected.Chunk(2).ToArray();
        var labels = y.data<long>().ToArray();
        var loss = -labels.Select((label, i) => Math.Log(probabilities[i][label])).Average();
        var accuracy = labels.Where((label, i) => probabilities[i][label] > probabilities[i][1 - label]).Count() / 9.0;
        Assert.Equal(loss, evaluation.Loss, 5);
        Assert.Equal(accuracy, evaluation.Accuracy, 10);
    }

    [Fact]
    public void A_mirror_symmetric_image_gets_the_same_outputs_with_and_without_flip_augmentation()
    {
        using var half = rand(new long[] { 3, 1, 12, 6 }, generator: new Generator(5));
        using var x = cat(new[] { half, half.flip(3) }, 3);
        using var model = TestSupport.SmallCnn(seed: 2);

        using var plain = model.Predict(x);
        using var averaged = model.Predict(x, augmentation: TestTimeAugmentation.HorizontalFlip);

        Assert.Equal(TestSupport.ToArray(plain), TestSupport.ToArray(averaged), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Flip_test_time_augmentation_of_inputs_that_are_not_images_is_an_error()
    {
        using var model = new Sequential(new CnnLab.Core.Shape(2), seed: 1);
        model.Add(new CnnLab.Layers.Dense(2, activation: "softmax"));
        using var x = zeros(3, 2);

        var e = Assert.Throws<ArgumentException>(() => model.Predict(x, augmentation: TestTimeAugmentation.HorizontalFlip));

        Assert.Equal("Test-time augmentation HorizontalFlip mirrors images, but the model takes inputs of shape (None, 2). " +
            "Use TestTimeAugmentation.None for inputs that are not images.", TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Loss_after_a_confident_softmax_stays_finite()
    {
        using var model = new Sequential(new CnnLab.Core.Shape(2), seed: 1);
        model.Add(new CnnLab.Layers.Dense(2, activation: "softmax"));
        model.Compile("sgd");
        using (no_grad())
        {
            ((CnnLab.Layers.Dense)model.Layers[0]).Kernel.copy_(tensor(new[] { 500f, 0f, 0f, 500f }, new long[] { 2, 2 }));
        }
        using var x = tensor(new[] { 1f, 0f }, new long[] { 1, 2 });
        using var y = tensor(new long[] { 1 });

        var result = model.Evaluate(x, y);

        Assert.Equal(500, result.Loss, 3);
    }
}

/// <summary>Element-wise float equality within an absolute tolerance, for comparing whole arrays.</summary>
internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;

    public int GetHashCode(float value) => 0;
}
