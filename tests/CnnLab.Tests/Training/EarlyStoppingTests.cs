using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Training;
using CnnLab.Training.Callbacks;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

/// <summary>EarlyStopping on scripted metric sequences, as Keras' own tests do.</summary>
public class EarlyStoppingTests
{
    private static (CnnLab.Models.Sequential Model, TrainingContext Context) Setup()
    {
        var model = new CnnLab.Models.Sequential(new Shape(2), seed: 1);
        model.Add(new Dense(1));
        return (model, new TrainingContext(model, 10, 10, 1, 2, 0.001));
    }

    /// <summary>Feeds val_loss values epoch by epoch, with the Dense kernel
    /// set to the epoch number; returns the epoch it stopped after.</summary>
    private static int Run(EarlyStopping callback, double[] values, CnnLab.Models.Sequential model, TrainingContext context)
    {
        callback.OnTrainBegin(context);
        for (var epoch = 0; epoch < values.Length; epoch++)
        {
            using (no_grad())
            {
                ((Dense)model.Layers[0]).Kernel.fill_(epoch + 1);
            }
            callback.OnEpochEnd(context, epoch, new Dictionary<string, double> { ["loss"] = 1, ["val_loss"] = values[epoch] });
            if (context.StopTraining)
            {
                return epoch + 1;
            }
        }
        return 0;
    }

    [Fact]
    public void Stops_after_patience_epochs_without_improvement_and_restores_the_best_weights()
    {
        var (model, context) = Setup();
        using var callback = new EarlyStopping(patience: 2, restoreBestWeights: true);

        var stopped = Run(callback, new[] { 0.9, 0.7, 0.5, 0.55, 0.6, 0.4 }, model, context);

        Assert.Equal(5, stopped);
        Assert.Equal((0.5, 3, 5), (callback.Best, callback.BestEpoch, callback.StoppedEpoch));
        Assert.Equal(3f, ((Dense)model.Layers[0]).Kernel[0, 0].item<float>());
    }

    [Fact]
    public void Min_delta_decides_what_counts_as_an_improvement()
    {
        var (model, context) = Setup();
        var callback = new EarlyStopping(minDelta: 0.05, patience: 1);

        var stopped = Run(callback, new[] { 1.0, 0.97, 0.96, 0.5 }, model, context);

        // 0.97 is within min_delta of 1.0: one epoch without improvement is the patience, so it stops after epoch 2.
        Assert.Equal(2, stopped);
        Assert.Equal(1, callback.BestEpoch);
        Assert.Equal(2f, ((Dense)model.Layers[0]).Kernel[0, 0].item<float>()); // not restored: the weights of epoch 2
    }

    [Fact]
    public void Accuracy_is_maximised_in_auto_mode()
    {
        Assert.True(new EarlyStopping("val_accuracy").Maximize);
        Assert.False(new EarlyStopping("val_loss").Maximize);
    }

    [Fact]
    public void A_metric_that_is_not_logged_is_an_error_listing_the_ones_that_are()
    {
        var (_, context) = Setup();
        var callback = new EarlyStopping("val_accuracy");
        callback.OnTrainBegin(context);

        var e = Assert.Throws<InvalidOperationException>(() =>
            callback.OnEpochEnd(context, 0, new Dictionary<string, double> { ["loss"] = 1, ["accuracy"] = 0.5 }));

        Assert.Equal("EarlyStopping monitors \"val_accuracy\", which this training does not log. Available metrics: loss, accuracy. " +
                     "Use one of them, or pass validation data to log the val_ ones.", e.Message);
    }

    [Fact]
    public void Negative_patience_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new EarlyStopping(patience: -1));

        Assert.Equal("Invalid value for argument `patience`. Expected a value >= 0. Received: patience=-1", TestSupport.KerasMessage(e));
    }

    [Fact]
    public void Stops_a_real_fit_early()
    {
        var (x, y) = TestSupport.Bars(40, seed: 3);
        using var model = TestSupport.SmallCnn(seed: 1);
        model.Compile(new CnnLab.Optimizers.SGD(1e-9));
        using var callback = new EarlyStopping("loss", minDelta: 1, patience: 1);

        var history = model.Fit(x, y, batchSize: 10, epochs: 10, seed: 1, verbose: 0, callbacks: new[] { callback });

        Assert.Equal(2, history.Epochs);
        Assert.Equal(2, callback.StoppedEpoch);
    }
}
