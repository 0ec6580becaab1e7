using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models;

/// <summary>
/// Standardisation as the model's first layer (a Normalization adapted to the training split) trains and predicts
/// exactly as training on standardised images did, and the model then applies it wherever it runs.
/// </summary>
public sealed class StandardizeInputsTests
{
    [Fact]
    public void A_Normalization_first_trains_bit_for_bit_as_standardised_data_did()
    {
        var (x, y) = TestSupport.Bars(120, seed: 4);
        using var _ = x;
        using var __ = y;
        using var layered = TestSupport.SmallCnn(seed: 7, batchNorm: true);
        var normalization = layered.StandardizeInputs(x);
        var statistics = Standardization.From(normalization.Mean.data<float>().ToArray(),
            normalization.Variance.sqrt().clamp_min(Normalization.Epsilon).data<float>().ToArray());
        using var plain = TestSupport.SmallCnn(seed: 7, batchNorm: true);
        using var standardised = x.clone();
        statistics.Apply(standardised);
        layered.Compile("adam");
        plain.Compile("adam");

        var withLayer = layered.Fit(x, y, batchSize: 16, epochs: 2, validationSplit: 0.25, seed: 3, verbose: 0);
        var withData = plain.Fit(standardised, y, batchSize: 16, epochs: 2, validationSplit: 0.25, seed: 3, verbose: 0);

        Assert.Equal(withData.Loss, withLayer.Loss);
        Assert.Equal(withData.ValAccuracy, withLayer.ValAccuracy);
        Assert.Equal(TestSupport.ToArray(plain.Predict(standardised)), TestSupport.ToArray(layered.Predict(x)));
    }

    [Fact]
    public void The_first_layer_adapts_per_channel_and_counts_as_Keras_does()
    {
        // Two images of two channels, 1 x 2 pixels: channel 0 holds 0, 2, 10, 10 and channel 1 holds 4, 6, 10, 10.
        using var images = tensor(new float[] { 0, 2, 4, 6, 10, 10, 10, 10 }, new long[] { 2, 2, 1, 2 });
        using var model = new Sequential(Shape.Image(1, 2, 2), seed: 1);
        model.Add(new Flatten());

        var layer = model.StandardizeInputs(images);

        Assert.Equal(("normalization", 0L, 5L), (model.Layers[0].Name, model.TrainableParamCount, model.NonTrainableParamCount));
        Assert.Equal(new[] { 5.5f, 7.5f }, layer.Mean.data<float>().ToArray());
        Assert.Equal(new[] { 20.75f, 6.75f }, layer.Variance.data<float>().ToArray());
        var message = Assert.Throws<InvalidOperationException>(() => model.StandardizeInputs(images)).Message;
        Assert.Equal("Model \"sequential\" already standardises its inputs; standardising twice would distort them.", message);
    }

    [Fact]
    public void A_model_that_keeps_the_older_input_standardisation_applies_it_in_Predict_and_Evaluate()
    {
        var (x, y) = TestSupport.Bars(20, seed: 5);
        using var _ = x;
        using var __ = y;
        using var model = TestSupport.SmallCnn(seed: 2);
        model.Compile("adam");
        using var standardised = x.clone();
        var statistics = Standardization.From(new[] { 0.4f }, new[] { 0.25f });
        statistics.Apply(standardised);
        var expected = TestSupport.ToArray(model.Predict(standardised));
        var expectedLoss = model.Evaluate(standardised, y).Loss;

        model.InputStandardization = statistics;

        Assert.Equal(expected, TestSupport.ToArray(model.Predict(x)));
        Assert.Equal(expectedLoss, model.Evaluate(x, y).Loss);
    }
}
