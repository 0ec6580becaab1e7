using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments;
using static TorchSharp.torch;

namespace CnnLab.Tests.Core;

/// <summary>A config that implies more weights or activations than a machine
/// holds is refused from its numbers, before libtorch allocates.</summary>
public class ModelLimitsTests
{
    [Fact]
    public void Two_convolutions_of_50000_filters_are_refused_with_the_weight_count()
    {
        using var model = new Sequential(Shape.Image(28, 28, 1), seed: 1);
        model.Add(new Conv2D(50_000, 3, padding: Padding.Same));

        var error = Assert.Throws<ArgumentException>(() => model.Add(new Conv2D(50_000, 3, padding: Padding.Same)));

        Assert.Equal("Layer \"conv2d_1\" on input (None, 28, 28, 50000) needs 22,500,050,000 weights, which would make the model " +
                     "22,500,550,000 weights " +
                     "(83.8 GiB of float32), more than the limit of 1,073,741,824 (4 GiB). Use fewer filters or units.",
                     TestSupport.KerasMessage(error));
        Assert.Single(model.Layers);
    }

    [Fact]
    public void A_study_template_of_50000_filters_is_refused_when_the_study_is_checked()
    {
        var study = StudyParser.Parse("runs: [{name: huge, model: {blocks: [[50000, 50000]]}}]");
        var (x, y) = TestSupport.Bars(4, seed: 1);
        using var data = new CnnLab.Data.DataSplits("bars", new CnnLab.Data.Dataset(x, y, new[] { "h", "v" }),
            new CnnLab.Data.Dataset(x.clone(), y.clone(), new[] { "h", "v" }), "generated");

        var message = Assert.Throws<StudyFileException>(() => new StudyRunner(study, "unused", TextWriter.Null).Validate(data)).Message;

        Assert.StartsWith("study: run \"huge\" cannot be built for input (None, 12, 12, 1) and 2 classes: Layer \"conv2d_1\" on input " +
            "(None, 12, 12, 50000) needs 22,500,050,000 weights", message);
    }

    [Fact]
    public void An_input_of_100000_by_100000_pixels_is_refused_as_a_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Shape.Image(100_000, 100_000, 1));

        Assert.Equal("Invalid value for argument `shape`. (100000, 100000, 1) holds more than 268,435,456 values per sample (1 GiB of " +
                     "float32), the limit. " +
                     "Use a smaller image size, fewer filters or more pooling.", TestSupport.KerasMessage(error));
    }

    [Fact]
    public void Dimensions_whose_product_overflows_a_long_are_refused_not_wrapped()
    {
        Assert.Throws<ArgumentException>(() => new Shape(int.MaxValue, int.MaxValue, int.MaxValue));
    }

    [Fact]
    public void A_batch_whose_activations_cannot_fit_in_memory_is_refused_before_the_first_step()
    {
        using var model = new Sequential(Shape.Image(256, 256, 3), seed: 1);
        model.Add(new Conv2D(64, 3, padding: Padding.Same));
        model.Add(new Flatten());
        model.Add(new Dense(2, activation: "softmax"));
        model.Compile(new Adam());
        using var x = zeros(4, 3, 256, 256);
        using var y = zeros(new long[] { 4 }, ScalarType.Int64);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, y, batchSize: 100_000, epochs: 1));

        var message = TestSupport.KerasMessage(error);
        Assert.StartsWith("A training step of model \"sequential\" at batch size 100000 needs about 6250.0 GiB for the layers' outputs " +
            "and gradients, more than the ", message);
        Assert.EndsWith(" GiB of memory available. Use a smaller batch size or a smaller model.", message);
    }
}
