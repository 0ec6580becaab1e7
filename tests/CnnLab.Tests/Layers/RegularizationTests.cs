using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

/// <summary>Each regularization method acts as its definition says, and only in training where that is the definition.</summary>
public class RegularizationTests
{
    private static Tensor Ones(params long[] shape) => ones(shape);

    [Fact]
    public void Dropout_changes_outputs_in_training_and_is_the_identity_in_inference()
    {
        using var layer = new Dropout(0.5);
        layer.Build(new Shape(1000));
        layer.SeedRandom(1);
        using var x = Ones(4, 1000);

        layer.train();
        using var trained = layer.forward(x);
        var values = TestSupport.ToArray(trained);
        layer.eval();
        using var inferred = layer.forward(x);

        Assert.All(values, v => Assert.True(v == 0f || v == 2f, $"value {v}"));
        Assert.InRange(values.Count(v => v == 0f) / 4000.0, 0.45, 0.55);
        Assert.Equal(TestSupport.ToArray(x), TestSupport.ToArray(inferred));
    }

    [Fact]
    public void SpatialDropout2D_drops_whole_channels_and_scales_the_rest()
    {
        using var layer = new SpatialDropout2D(0.25);
        layer.Build(Shape.Image(5, 5, 64));
        layer.SeedRandom(3);
        using var x = Ones(8, 64, 5, 5);

        layer.train();
        using var trained = layer.forward(x);
        using var perChannelMin = trained.amin(new long[] { 2, 3 });
        using var perChannelMax = trained.amax(new long[] { 2, 3 });
        layer.eval();
        using var inferred = layer.forward(x);

        Assert.Equal(TestSupport.ToArray(perChannelMin), TestSupport.ToArray(perChannelMax));
        var channels = TestSupport.ToArray(perChannelMax);
        Assert.All(channels, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.75f) < 1e-6, $"value {v}"));
        Assert.Contains(0f, channels);
        Assert.Equal(TestSupport.ToArray(x), TestSupport.ToArray(inferred));
    }

    [Fact]
    public void GaussianNoise_adds_noise_of_the_given_deviation_in_training_only()
    {
        using var layer = new GaussianNoise(0.3);
        layer.Build(new Shape(10000));
        layer.SeedRandom(4);
        using var x = zeros(2, 10000);

        layer.train();
        using var trained = layer.forward(x);
        layer.eval();
        using var inferred = layer.forward(x);

        Assert.InRange(trained.std().item<float>(), 0.29, 0.31);
        Assert.InRange(trained.mean().item<float>(), -0.01, 0.01);
        Assert.Equal(0f, inferred.abs().max().item<float>());
    }

    private static Sequential Dense2(long seed, Regularizer? regularizer)
    {
        var model = new Sequential(new Shape(6), seed);
        model.Add(new Dense(5, activation: "relu", kernelRegularizer: regularizer));
        model.Add(new Dense(3, activation: "softmax", kernelRegularizer: regularizer));
        return model;
    }

    [Theory]
    [InlineData(0.0, 0.01)]
    [InlineData(0.002, 0.0)]
    [InlineData(0.003, 0.02)]
    public void A_kernel_regularizer_adds_exactly_its_penalty_to_the_loss(double l1, double l2)
    {
        using var x = rand(new long[] { 40, 6 }, generator: new Generator(1));
        using var y = randint(0, 3, new long[] { 40 }, generator: new Generator(2));
        using var plain = Dense2(seed: 7, null);
        using var regularized = Dense2(seed: 7, new Regularizer(l1, l2));
        plain.Compile("sgd");
        regularized.Compile("sgd");

        var difference = regularized.Evaluate(x, y, batchSize: 40).Loss - plain.Evaluate(x, y, batchSize: 40).Loss;

        var expected = 0.0;
        foreach (var dense in regularized.Layers.Cast<Dense>())
        {
            expected += l1 * dense.Kernel.abs().sum().item<float>() + l2 * dense.Kernel.square().sum().item<float>();
        }
        Assert.True(expected > 0);
        Assert.Equal(expected, difference, 5);
    }

    [Fact]
    public void Decoupled_weight_decay_shrinks_each_weight_by_lr_times_decay_before_the_step()
    {
        var (x, y) = TestSupport.Bars(16, seed: 1);
        Tensor TrainedKernel(double weightDecay)
        {
            using var model = TestSupport.SmallCnn(seed: 2);
            model.Compile(new SGD(0.1, weightDecay: weightDecay));
            model.Fit(x, y, batchSize: 16, epochs: 1, shuffle: false, seed: 1, verbose: 0);
            return ((Conv2D)model.Layers[0]).Kernel.detach().clone();
        }
        using var initialModel = TestSupport.SmallCnn(seed: 2);
        using var initial = ((Conv2D)initialModel.Layers[0]).Kernel.detach().clone();

        using var withoutDecay = TrainedKernel(0);
        using var withDecay = TrainedKernel(0.5);

        // One step: w0 * (1 - lr * wd) - lr * g  =  (w0 - lr * g) - lr * wd * w0.
        using var expected = withoutDecay - initial * (0.1 * 0.5);
        Assert.True(allclose(withDecay, expected, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void AdamW_has_Keras_defaults_and_the_catalog_knows_it()
    {
        var adamW = OptimizerCatalog.Get("adamw");
        Assert.Equal("AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1E-07)", adamW.ToString());
        Assert.Equal(0.01, OptimizerCatalog.Get("sgd", 0.1, 0.01).WeightDecay);
    }

    [Fact]
    public void Label_smoothing_mixes_the_one_hot_target_with_the_uniform_one()
    {
        using var logits = tensor(new float[] { 2f, 0.5f, -1f, 0.1f, 0.2f, 3f }, new long[] { 2, 3 });
        using var labels = tensor(new long[] { 0, 2 });
        using var logProbabilities = logits.log_softmax(1);
        var lp = TestSupport.ToArray(logProbabilities);
        const double s = 0.1;
        double Row(int r, int label) => -((1 - s) * lp[r * 3 + label] + s / 3 * (lp[r * 3] + lp[r * 3 + 1] + lp[r * 3 + 2]));
        var expected = (Row(0, 0) + Row(1, 2)) / 2;

        using var fromLogits = SparseCategoricalCrossentropy.FromLogits(logits, labels, s);
        using var probabilities = logits.softmax(1);
        using var fromProbabilities = SparseCategoricalCrossentropy.FromProbabilities(probabilities, labels, s);

        Assert.Equal(expected, fromLogits.item<float>(), 5);
        Assert.Equal(expected, fromProbabilities.item<float>(), 5);
    }

    [Theory]
    [InlineData("dropout")]
    [InlineData("spatial")]
    [InlineData("noise")]
    [InlineData("l2")]
    [InlineData("smoothing")]
    [InlineData("decay")]
    public void Out_of_range_rates_are_errors_naming_the_argument_the_value_and_the_range(string which)
    {
        var (action, message) = which switch
        {
            "dropout" => ((Action)(() => _ = new Dropout(1.0)),
                "Invalid value for argument `rate`. Expected a float value between 0 and 1 (1 excluded). Received: rate=1"),
            "spatial" => (() => _ = new SpatialDropout2D(-0.1),
            "Invalid value for argument `rate`. Expected a float value between 0 and 1 (1 excluded). Received: rate=-0.1"),
            "noise" =>
            (() => _ = new GaussianNoise(-1), "Invalid value for argument `stddev`. Expected a finite value >= 0. Received: stddev=-1"),
            "l2" =>
            (() => _ = Regularizer.OfL2(-0.01), "Invalid value for argument `l2`. Expected a finite value >= 0. Received: l2=-0.01"),
            "smoothing" => (() => TestSupport.SmallCnn(1).Compile("adam", labelSmoothing: 1.5),
                "Invalid value for argument `labelSmoothing`. Expected a value in [0, 1]. Received: labelSmoothing=1.5"),
            _ => (() => _ = new Adam(weightDecay: -1),
                "Invalid value for argument `weightDecay`. Expected a finite value >= 0. Received: weightDecay=-1"),
        };
        var e = Assert.Throws<ArgumentException>(action);
        Assert.Equal(message, TestSupport.KerasMessage(e));
    }
}
