using System.Diagnostics;
using CnnLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// The training loop behind <see cref="Sequential.Fit(Tensor, Tensor, FitOptions)"/>. Data stays in one
/// tensor; each batch is gathered by index from a per-epoch permutation, and every step runs inside its own
/// dispose scope so native memory is released at once rather than when the garbage collector runs.
/// </summary>
internal sealed class Trainer
{
    private readonly Sequential _model;
    private readonly FitOptions _options;

    public Trainer(Sequential model, FitOptions options)
    {
        _model = model;
        _options = options;
    }

    public History Fit(Tensor x, Tensor y)
    {
        Validate(x, y);
        var seed = _options.Seed ?? Random.Shared.NextInt64();
        // Layers that draw random numbers get generators of their own, derived from the seed.
        for (var i = 0; i < _model.Layers.Count; i++)
        {
            _model.Layers[i].SeedRandom(unchecked(seed * 1_000_003 + i + 1));
        }
        using var shuffleGenerator = new Generator(unchecked((ulong)seed), CPU);

        using var optimizer = _model.Optimizer!.Create(_model.parameters());
        using var data = NewDisposeScope();
        var (trainX, trainY, valX, valY) = Split(x, y);
        var trainCount = (int)trainX.shape[0];
        var callbacks = new List<Callback>();
        if (_options.Verbose > 0)
        {
            callbacks.Add(ProgressLogger.ForConsole());
        }
        callbacks.AddRange(_options.Callbacks);
        var context = new TrainingContext(_model, _options.Epochs, trainCount, _options.BatchSize, valX is null ? 0 : (int)valX.shape[0]);
        var history = new History();
        var checkpoint = _options.CheckpointFolder is { } folder ? new EpochCheckpoint(folder) : null;
        var firstEpoch = checkpoint?.Restore(_model, optimizer, shuffleGenerator, history) ?? 0;
        try
        {
            callbacks.ForEach(c => c.OnTrainBegin(context));
            for (var epoch = firstEpoch; epoch < _options.Epochs && !context.StopTraining; epoch++)
            {
                var clock = Stopwatch.StartNew();
                callbacks.ForEach(c => c.OnEpochBegin(context, epoch));
                var logs = TrainEpoch(trainX, trainY, optimizer, shuffleGenerator, context, callbacks);
                if (valX is not null)
                {
                    var validation = Evaluate(_model, valX, valY!, _options.BatchSize);
                    logs["val_loss"] = validation.Loss;
                    logs["val_accuracy"] = validation.Accuracy;
                }
                var seconds = clock.Elapsed.TotalSeconds;
                callbacks.ForEach(c => c.OnEpochEnd(context, epoch, logs));
                history.Append(logs, seconds);
                checkpoint?.Save(epoch + 1, _model, optimizer, shuffleGenerator, history);
            }
            callbacks.ForEach(c => c.OnTrainEnd(context));
        }
        finally
        {
            _model.eval();
        }
        return history;
    }

    public static Evaluation Evaluate(Sequential model, Tensor x, Tensor y, int batchSize)
    {
        var count = (int)x.shape[0];
        double lossSum = 0;
        long correct = 0;
        model.eval();
        using (inference_mode())
        {
            for (var start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var length = Math.Min(batchSize, count - start);
                var xb = x.narrow(0, start, length).to(model.Device);
                var yb = y.narrow(0, start, length).to(model.Device);
                var (loss, hits) = LossAndHits(model, xb, yb);
                lossSum += loss.item<float>() * length;
                correct += hits.item<long>();
            }
        }
        return count == 0 ? new Evaluation(double.NaN, double.NaN, 0) : new Evaluation(lossSum / count, (double)correct / count, count);
    }

    public static Tensor Predict(Sequential model, Tensor x, int batchSize)
    {
        var count = (int)x.shape[0];
        model.eval();
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        for (var start = 0; start < count; start += batchSize)
        {
            var length = Math.Min(batchSize, count - start);
            outputs.Add(model.forward(x.narrow(0, start, length).to(model.Device)).cpu());
        }
        var result = outputs.Count == 0 ? empty(model.OutputShape!.ToTensorShape(0)) : cat(outputs, 0);
        return result.MoveToOuterDisposeScope();
    }

    private Dictionary<string, double> TrainEpoch(Tensor x, Tensor y, optim.Optimizer optimizer, Generator generator,
        TrainingContext context, List<Callback> callbacks)
    {
        var count = (int)x.shape[0];
        var batchSize = _options.BatchSize;
        _model.train();
        using var order = _options.Shuffle ? randperm(count, generator: generator) : arange(count, dtype: ScalarType.Int64);
        double lossSum = 0;
        long correct = 0;
        var seen = 0;
        var batchLogs = new Dictionary<string, double>();
        for (var batch = 0; batch * batchSize < count; batch++)
        {
            callbacks.ForEach(c => c.OnBatchBegin(context, batch));
            var length = Math.Min(batchSize, count - batch * batchSize);
            using (var scope = NewDisposeScope())
            {
                var index = order.narrow(0, batch * batchSize, length);
                var xb = x.index_select(0, index).to(_model.Device);
                var yb = y.index_select(0, index).to(_model.Device);
                optimizer.zero_grad();
                var (loss, hits) = LossAndHits(_model, xb, yb);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * length;
                correct += hits.item<long>();
            }
            seen += length;
            batchLogs["loss"] = lossSum / seen;
            batchLogs["accuracy"] = (double)correct / seen;
            batchLogs["samples"] = seen;
            callbacks.ForEach(c => c.OnBatchEnd(context, batch, batchLogs));
        }
        return new Dictionary<string, double> { ["loss"] = lossSum / count, ["accuracy"] = (double)correct / count };
    }

    private static (Tensor Loss, Tensor Hits) LossAndHits(Sequential model, Tensor x, Tensor y)
    {
        Tensor loss;
        Tensor scores;
        if (model.EndsWithSoftmax)
        {
            scores = model.ForwardLogits(x);
            loss = SparseCategoricalCrossentropy.FromLogits(scores, y);
        }
        else
        {
            scores = model.forward(x);
            loss = SparseCategoricalCrossentropy.FromProbabilities(scores, y);
        }
        using var predicted = scores.argmax(1);
        using var equal = predicted.eq(y);
        return (loss, equal.sum());
    }

    private void Validate(Tensor x, Tensor y)
    {
        DataChecks.RequireBatchSize(_options.BatchSize);
        if (_options.Epochs < 0)
        {
            throw new ArgumentException($"Invalid value for argument `epochs`. Expected a value >= 0. Received: epochs={_options.Epochs}", "epochs");
        }
        if (!(_options.ValidationSplit >= 0 && _options.ValidationSplit < 1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `validationSplit`. Expected a float in [0, 1). Received: validationSplit={_options.ValidationSplit}",
                "validationSplit");
        }
        DataChecks.RequireSamples(_model, x, y, "x", "y");
        if (_options.ValidationData is { } v)
        {
            DataChecks.RequireSamples(_model, v.X, v.Y, "validationData.X", "validationData.Y");
        }
        var trainCount = x.shape[0] - (_options.ValidationData is null ? (long)Math.Floor(x.shape[0] * _options.ValidationSplit) : 0);
        if (trainCount == 0 && x.shape[0] > 0)
        {
            throw new ArgumentException(
                $"validationSplit={_options.ValidationSplit} leaves no training samples out of {x.shape[0]}. Use a smaller split or more data.",
                "validationSplit");
        }
    }

    /// <summary>Keras' rule: validation is the LAST fraction of the samples, cut before shuffling.</summary>
    private (Tensor TrainX, Tensor TrainY, Tensor? ValX, Tensor? ValY) Split(Tensor x, Tensor y)
    {
        if (_options.ValidationData is { } given)
        {
            return (x, y, given.X, given.Y);
        }
        if (_options.ValidationSplit == 0)
        {
            return (x, y, null, null);
        }
        var count = x.shape[0];
        var splitAt = (long)Math.Floor(count * (1.0 - _options.ValidationSplit));
        return (x.narrow(0, 0, splitAt), y.narrow(0, 0, splitAt), x.narrow(0, splitAt, count - splitAt), y.narrow(0, splitAt, count - splitAt));
    }
}
